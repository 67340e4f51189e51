package logo

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"counterlens/internal/synth"
)

// twinScores composites brand's mark, long px wide, in a flat colour
// straight onto a busy photo (no patch: the photo shows between and around
// its parts), JPEG 80, and returns the best score against p of the regions
// over it (box IoU at least 0.6): of all of photoCandidates' regions, and
// of those left when every colour region with a grey region's box is
// dropped, as before twins.go. Regions are cut with cfg.
func twinScores(t *testing.T, scene image.Image, mark image.Image, p *prepared, long float64, fg color.RGBA, cfg Config) (all, boxOnly float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(long), 8))
	bg := toRGBA(scene)
	b := bg.Bounds()
	gt := synth.Composite(bg, synth.MarkAlpha(mark), synth.Placement{Long: long, Angle: 8, Persp: 0.02,
		CX: float64(b.Dx()) / 2, CY: float64(b.Dy()) / 2, FG: fg}, rng)
	img := degrade(t, bg, 0, 2, 80, rng)
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	grey := map[boxKey]bool{}
	for _, c := range cands {
		if !c.colour {
			grey[keyOf(c.box)] = true
		}
	}
	for _, c := range cands {
		if boxIoU(scaleRect(c.box, 1/scale), gt) < 0.6 {
			continue
		}
		s := scoreRef(c, p, cfg, 0)
		all = max(all, s)
		if !c.colour || !grey[keyOf(c.box)] {
			boxOnly = max(boxOnly, s)
		}
	}
	return all, boxOnly
}

// twinGains are the placements of TestColourRegionsWithGreyBoxes whose
// colour regions, dropped before for their grey twin's box, lift the
// mark's score by at least 0.05, to at least ShapeMid.
var twinGains = map[string]bool{
	"samsung/fruits/200px/fg0": true, // yellow on fruit: 0.687 -> 0.836
}

// TestColourRegionsWithGreyBoxes: flat wordmarks straight on busy photos,
// 200-300 px long. Where the grey ladder's cut of a mark holds texture
// too, the colour zones' cut of it, in nearly the same box, is a region
// of its own now, and the mark scores higher (twinGains); the others are
// logged (most marks' grey cut is clean, and their colour twin dropped).
// The grey ladder's large regions are cut at the ladder's levels here, as
// when twins.go was written, and grouped with no GroupSlack: cut midway
// (Config.MidCutLarge), or with its letters linked a pixel looser
// (GroupSlack), the grey cut of twinGains' mark holds the letters alone too
// (0.836 either way), and no placement here gains from its colour twin.
func TestColourRegionsWithGreyBoxes(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scenes := loadDir(t, "testdata/scenes")
	cfg := DefaultConfig()
	cfg.MidCutLarge = false
	cfg.GroupSlack = 0
	yellow := color.RGBA{225, 205, 40, 255}
	green := color.RGBA{30, 95, 70, 255}
	for _, brand := range []string{"samsung", "sony", "cocacola", "thenorthface", "underarmour"} {
		p, err := prepare(Reference{LogoID: brand, BrandID: brand, Image: marks[brand]}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, scene := range []string{"baboon", "building", "fruits", "stuff"} {
			for _, long := range []float64{200, 300} {
				for ci, fg := range []color.RGBA{yellow, green} {
					name := fmt.Sprintf("%s/%s/%.0fpx/fg%d", brand, scene, long, ci)
					all, boxOnly := twinScores(t, scenes[scene], marks[brand], p, long, fg, cfg)
					t.Logf("%s: %.3f (box-only dedup %.3f)", name, all, boxOnly)
					if twinGains[name] && (all < boxOnly+0.05 || all < cfg.ShapeMid) {
						t.Errorf("%s: %.3f, box-only dedup %.3f: want a gain of 0.05 to at least %.2f", name, all, boxOnly, cfg.ShapeMid)
					}
				}
			}
		}
	}
}

// TestDropTwins: a colour region with a grey region's box is dropped when
// it has that region's shape too, and kept when its shape differs (the
// letters alone against the letters with texture between them).
func TestDropTwins(t *testing.T) {
	cfg := DefaultConfig()
	region := func(pix []uint8, box image.Rectangle) *candidate {
		t.Helper()
		out := addCandidate(nil, pix, box, cfg)
		if len(out) != 1 {
			t.Fatalf("no region from the mask over %v", box)
		}
		return out[0]
	}
	// Three bars ("letters") 12 px wide with 8-px gaps, 40 px high.
	box := image.Rect(100, 50, 156, 90)
	letters := make([]uint8, box.Dx()*box.Dy())
	joined := make([]uint8, len(letters))
	for y := range box.Dy() {
		for x := range box.Dx() {
			bar := x%20 < 12
			if bar {
				letters[y*box.Dx()+x] = 1
			}
			// The grey cut: the same bars, their gaps filled by texture
			// in the lower half.
			if bar || y >= box.Dy()/2 {
				joined[y*box.Dx()+x] = 1
			}
		}
	}
	grey := region(joined, box)
	ix := indexBoxes([]*candidate{grey})
	same := region(joined, box)
	same.colour = true
	own := region(letters, box)
	own.colour = true
	elsewhere := region(joined, box.Add(image.Pt(200, 0)))
	elsewhere.colour = true
	got := ix.dropTwins([]*candidate{same, own, elsewhere})
	if len(got) != 2 || got[0] != own || got[1] != elsewhere {
		t.Fatalf("dropTwins kept %d regions, want the letters alone and the one elsewhere", len(got))
	}
	if s := shapeScore(&own.view, &grey.view); s >= twinScore {
		t.Fatalf("letters against letters with texture: shape score %.3f, want under %.2f", s, twinScore)
	}
}
