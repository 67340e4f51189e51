package logo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"counterlens/internal/synth"
)

// TestLearnedDecisionTellsMarkFromItsOutline: The North Face's wordmark at
// 100 and 140 px, 20° and 0.07 perspective, box-blurred, JPEG 60, in the
// home photo, among the 16 registered marks and 16 distractors (the case
// whose margin and crowd factors hold it under 0.5 in the hand decision,
// see TestGreyLiftRecoversHeldWordmark), is reported by the learned
// decision; the same placement of the mark's filled outline, a blob that
// fits its silhouette, is not, and the model ranks it under the mark. In
// the training mode (every match the model considers, every feature read)
// each feature lies in its decideRange, which the bound that spares the
// grey alignments relies on.
func TestLearnedDecisionTellsMarkFromItsOutline(t *testing.T) {
	if testing.Short() {
		t.Skip("prepares 32 references")
	}
	marks := loadDir(t, "testdata/marks")
	var refs []Reference
	for n, img := range marks {
		refs = append(refs, Reference{LogoID: n, BrandID: n, Image: img})
	}
	for n, img := range loadDir(t, "testdata/distractors") {
		refs = append(refs, Reference{LogoID: n, BrandID: n, Image: img})
	}
	cfg := DefaultConfig()
	cfg.LearnedDecision = true
	d := newConfiguredDetector(t, cfg, refs)
	study := newConfiguredDetector(t, cfg, refs)
	study.decideStudy = true
	const brand = "thenorthface"
	for _, tc := range []struct {
		long float64
		seed uint64
	}{{100, 1001}, {140, 1403}} {
		t.Run(fmt.Sprintf("%vpx", tc.long), func(t *testing.T) {
			best := map[bool]float64{} // the model's best probability of brand over the mark, the blob
			for _, blob := range []bool{false, true} {
				bg := toRGBA(loadImage(t, "testdata/scenes/home.jpg"))
				rng := rand.New(rand.NewPCG(tc.seed, 11))
				mark := synth.MarkAlpha(marks[brand])
				if blob {
					mark = blobOf(t, mark)
				}
				gt := synth.Composite(bg, mark, synth.Placement{Long: tc.long, Angle: 20, Persp: 0.07, CX: 300, CY: 220, FG: black, Patch: &white}, rng)
				img := degrade(t, bg, 1, 2, 60, rng)
				dets, err := d.Detect(context.Background(), img)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, det := range dets {
					found = found || det.BrandID == brand && boxIoU(det.Box, gt) >= 0.5
				}
				if found == blob {
					t.Errorf("blob %v: reported %v, want %v (%+v)", blob, found, !blob, dets)
				}
				all, err := study.Detect(context.Background(), img)
				if err != nil {
					t.Fatal(err)
				}
				for _, det := range all {
					if det.features == nil {
						continue
					}
					for i, v := range det.features {
						if v < decideRange[i][0] || v > decideRange[i][1] {
							t.Errorf("%s: feature %s = %g, out of its range %v", det.LogoID, decideNames[i], v, decideRange[i])
						}
					}
					if det.BrandID == brand && boxIoU(det.Box, gt) >= 0.3 {
						best[blob] = max(best[blob], det.Confidence)
					}
				}
			}
			t.Logf("mark %.3f, its filled outline %.3f", best[false], best[true])
			if best[false] < cfg.MinConfidence || best[true] >= best[false] {
				t.Errorf("the model gives the mark %.3f and its filled outline %.3f", best[false], best[true])
			}
		})
	}
}

// TestDecideBoundCoversUnread: the bound decideShape stops on before
// reading a feature is at least the log-odds the model gives, whatever
// the unread features turn out to be within their ranges, with the
// fitted weights and with weights of either sign.
func TestDecideBoundCoversUnread(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	models := []decideModel{decideWeights}
	for range 20 {
		var m decideModel
		m.bias = rng.NormFloat64()
		for i := range m.w {
			m.w[i] = 3 * rng.NormFloat64()
		}
		models = append(models, m)
	}
	for k, m := range models {
		for range 200 {
			var x [numDecide]float64
			for i := range x {
				lo, hi := decideRange[i][0], decideRange[i][1]
				x[i] = lo + (hi-lo)*rng.Float64()
				if rng.IntN(4) == 0 { // the ends too
					x[i] = []float64{lo, hi}[rng.IntN(2)]
				}
			}
			for read := range numDecide + 1 {
				if u, z := m.upper(&x, read), m.logit(&x); u < z-1e-9 {
					t.Fatalf("model %d, %d features read: bound %g under the log-odds %g", k, read, u, z)
				}
			}
		}
	}
}
