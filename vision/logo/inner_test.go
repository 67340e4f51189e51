package logo

import (
	"fmt"
	"path/filepath"
	"testing"

	"counterlens/internal/synth"
)

// TestInnerFitTellsRingsApart: simple-icons marks of a ring round letters
// or a figure (from the random brand sets of the study seeds 300-309,
// never the held-out brands), composited at 20° under 0.07 perspective,
// box-blurred, JPEG 60, 100, 120 and 160 px long in the home photo. Over
// the region of the ring with its parts inside (scene.go's nesting) that
// the mark's reference fits best, where it fits at innerScoreMin or more
// (a match the decision sees; at least innerCases of the 27 placements),
// the mark's own inside (innerFit) fits at innerOwnMin or more and every
// other ring's inside at least innerLead less; over the ring alone (the
// region of the same box without its parts), the mark's own inside fits
// under innerEmptyMax: a ring round nothing does not read as the mark's
// inside.
func TestInnerFitTellsRingsApart(t *testing.T) {
	if testing.Short() {
		t.Skip("prepares nine references")
	}
	const innerOwnMin, innerLead, innerEmptyMax = 0.55, 0.15, 0.3
	const innerScoreMin, innerCases = 0.7, 20
	dir := iconsDir(t)
	rings := []string{"osu", "owasp", "changedetection", "simplelogin", "7zip", "coronaengine", "jss", "iterm2", "cocos"}
	cfg := DefaultConfig()
	preps := make(map[string]*prepared, len(rings))
	for _, name := range rings {
		img, err := rasterSVG(filepath.Join(dir, name+".svg"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := prepare(Reference{LogoID: name, BrandID: name, Image: img}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if p.inside.core == nil {
			t.Fatalf("%s: not read as a ring with parts", name)
		}
		preps[name] = p
	}
	checked := 0
	for _, name := range rings {
		for _, long := range []float64{100, 120, 160} {
			t.Run(fmt.Sprintf("%s/%vpx", name, long), func(t *testing.T) {
				img, err := rasterSVG(filepath.Join(dir, name+".svg"))
				if err != nil {
					t.Fatal(err)
				}
				own := preps[name]
				over, g, col := placedRegions(t, synth.MarkAlpha(img), long, 20, 0.07, 7)
				var c *candidate
				score := 0.0
				for _, k := range over {
					if s := scoreRef(k, own, cfg, 0); k.nested && (c == nil || s > score) {
						c, score = k, s
					}
				}
				if c == nil || score < innerScoreMin {
					t.Skipf("no region of the ring with its parts fits the mark at %.2f or more", innerScoreMin)
				}
				checked++
				rg, ok := regionGrid(c)
				if !ok {
					t.Fatal("no grid for the region")
				}
				fit, ok := innerFitOn(c, &rg, own, g, col)
				if !ok || fit < innerOwnMin {
					t.Fatalf("own inside fits %.3f (read %v, score %.3f), want >= %.2f", fit, ok, score, innerOwnMin)
				}
				for id, p := range preps {
					if id == name {
						continue
					}
					if f, ok := innerFitOn(c, &rg, p, g, col); ok && f > fit-innerLead {
						t.Errorf("%s's inside fits at %.3f (score %.3f), own %.3f", id, f, scoreRef(c, p, cfg, 0), fit)
					}
				}
				// The ring alone: the region of the same box without the
				// parts in its holes.
				for _, k := range over {
					if k.nested || k.box != c.box {
						continue
					}
					kg, ok := regionGrid(k)
					if !ok {
						continue
					}
					if f, ok := innerFitOn(k, &kg, own, g, col); ok && f >= innerEmptyMax {
						t.Errorf("the ring alone: own inside fits %.3f (score %.3f), want < %.2f", f, scoreRef(k, own, cfg, 0), innerEmptyMax)
					} else {
						t.Logf("the ring alone: own inside %.3f (read %v), score %.3f", f, ok, scoreRef(k, own, cfg, 0))
					}
				}
				t.Logf("own inside fits %.3f, score %.3f", fit, score)
			})
		}
	}
	if checked < innerCases {
		t.Errorf("%d placements checked, want %d or more", checked, innerCases)
	}
}

// innerFitOn is innerFit of r on region c at the fine outline's pose, as
// decideShape reads it.
func innerFitOn(c *candidate, rg *regionFine, r *prepared, g grayImage, col rgbImage) (float64, bool) {
	f, ok := finePoseSearch(c, rg, r, g, col)
	if !ok {
		return 0, false
	}
	return innerFit(&f, rg, r)
}
