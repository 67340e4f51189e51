package logo

import (
	"fmt"
	"testing"

	"counterlens/internal/synth"
)

// TestFineOutlineTellsMarkFromLookAlikes: marks whose silhouettes other
// references fit by chance (solid silhouettes without inner detail, where
// the grey alignment reads nothing: Nike, Apple, Puma; and Adidas and
// Starbucks), composited at 20° under 0.07 perspective, box-blurred, JPEG
// 60, 80 and 200 px long in the home photo, are fitted best by their own
// reference's outline (fineOutline) among our 16 marks and 16 distractors,
// by at least fineLead, and at fineOwnMin or more.
func TestFineOutlineTellsMarkFromLookAlikes(t *testing.T) {
	if testing.Short() {
		t.Skip("prepares 32 references")
	}
	const fineOwnMin, fineLead = 0.55, 0.05
	marks := loadDir(t, "testdata/marks")
	refs := append(refsFrom(marks), refsFrom(loadDir(t, "testdata/distractors"))...)
	cfg := DefaultConfig()
	preps := make(map[string]*prepared, len(refs))
	for _, r := range refs {
		p, err := prepare(r, cfg)
		if err != nil {
			t.Fatal(err)
		}
		preps[r.LogoID] = p
	}
	for _, brand := range []string{"nike", "apple", "puma", "adidas", "starbucks"} {
		for _, long := range []float64{80, 200} {
			t.Run(fmt.Sprintf("%s/%vpx", brand, long), func(t *testing.T) {
				own := preps[brand]
				c, score, g, col := placedRegion(t, synth.MarkAlpha(marks[brand]), own, long, 20, 0.07, uint64(long))
				if c == nil {
					t.Fatal("no region over the mark")
				}
				rg, ok := regionGrid(c)
				if !ok {
					t.Fatal("no grid for the region")
				}
				fit, ok := fineOutline(c, &rg, own, g, col)
				if !ok || fit < fineOwnMin {
					t.Fatalf("own outline fit %.3f (read %v), want >= %.2f", fit, ok, fineOwnMin)
				}
				for id, p := range preps {
					if id == brand {
						continue
					}
					if f, ok := fineOutline(c, &rg, p, g, col); ok && f > fit-fineLead {
						t.Errorf("%s's outline fits at %.3f (score %.3f), own %.3f (score %.3f)", id, f, scoreRef(c, p, cfg, 0), fit, score)
					}
				}
				t.Logf("own outline fit %.3f, score %.3f", fit, score)
			})
		}
	}
}
