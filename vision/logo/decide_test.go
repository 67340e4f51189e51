package logo

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"math/rand/v2"
	"testing"

	"counterlens/internal/synth"
)

// TestLearnedDecisionTellsMarkFromItsOutline: The North Face's wordmark at
// 100 and 140 px, 20° and 0.07 perspective, box-blurred, JPEG 60, in the
// home photo, among the 16 registered marks and 16 distractors (others fit
// its blurred silhouette nearly as well: its margins over other brands are
// small), is reported by the learned decision; the same placement of the mark's filled outline, a blob that
// fits its silhouette, is not. In the training mode (every match the
// model considers, every feature read) each feature lies in its
// decideRange, which the bound that spares the grey alignments relies on.
func TestLearnedDecisionTellsMarkFromItsOutline(t *testing.T) {
	if testing.Short() {
		t.Skip("prepares 32 references")
	}
	marks := loadDir(t, "testdata/marks")
	refs := append(refsFrom(marks), refsFrom(loadDir(t, "testdata/distractors"))...)
	cfg := DefaultConfig()
	d := newConfiguredDetector(t, cfg, refs)
	study := newConfiguredDetector(t, cfg, refs)
	study.decideStudy = true
	const brand = "thenorthface"
	for _, tc := range heldWordmarkSizes {
		t.Run(fmt.Sprintf("%vpx", tc.long), func(t *testing.T) {
			best := map[bool]float64{} // the model's best probability of brand over the mark, the blob
			for _, blob := range []bool{false, true} {
				mark := synth.MarkAlpha(marks[brand])
				if blob {
					mark = blobOf(t, mark)
				}
				img, gt := heldWordmarkPhoto(t, mark, tc.long, tc.seed)
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
			t.Logf("the model gives the mark %.3f, its filled outline %.3f (0: not considered)", best[false], best[true])
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

// TestLearnedDecisionRanksMarkOverPartOfFigure: a registered mark printed
// alone on a white panel is reported by the learned decision, and the
// model gives the same print set in a larger figure of its own ink (a
// wordmark in a line of letters of its height, a pictorial mark in a row
// of discs of its size: the look-alike false alarms at 1,000 references
// are such parts) a lower probability, though its silhouette fits as
// well. The figure is evidence weighed with the rest, not a gate: Sony's
// print in "ARSONYED",
// whose grey template correlates at 0.96, stays over the reporting level.
func TestLearnedDecisionRanksMarkOverPartOfFigure(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scenes := loadDir(t, "testdata/scenes")
	cfg := DefaultConfig()
	d := newConfiguredDetector(t, cfg, refsFrom(marks))
	study := newConfiguredDetector(t, cfg, refsFrom(marks))
	study.decideStudy = true
	ink := image.NewUniform(black)
	for _, tc := range []struct {
		brand string
		long  float64
		fig   func(dst *image.RGBA, box image.Rectangle)
	}{
		{"sony", 160, func(dst *image.RGBA, box image.Rectangle) {
			capH := float64(box.Dy())
			gap := int(0.25 * capH)
			drawText(t, dst, "AR", capH, box.Min.X-gap, box.Max.Y, true, ink)
			drawText(t, dst, "ED", capH, box.Max.X+gap, box.Max.Y, false, ink)
		}},
		{"puma", 100, func(dst *image.RGBA, box image.Rectangle) {
			L := float64(max(box.Dx(), box.Dy()))
			r := 0.4 * float64(min(box.Dx(), box.Dy()))
			cy := float64(box.Min.Y+box.Max.Y) / 2
			fillDisc(dst, float64(box.Min.X)-0.1*L-r, cy, r, black)
			fillDisc(dst, float64(box.Max.X)+0.1*L+r, cy, r, black)
		}},
	} {
		t.Run(tc.brand, func(t *testing.T) {
			var p [2]float64 // the model's best probability for the brand over the mark: alone, in the figure
			for k, inFigure := range []bool{false, true} {
				rng := rand.New(rand.NewPCG(uint64(tc.long), 5))
				bg := toRGBA(scenes["home"])
				draw.Draw(bg, image.Rect(10, 110, 630, 370), image.NewUniform(white), image.Point{}, draw.Src)
				gt := synth.Composite(bg, synth.MarkAlpha(marks[tc.brand]), synth.Placement{Long: tc.long, CX: 320, CY: 240, FG: black}, rng)
				if inFigure {
					tc.fig(bg, gt)
				}
				img := degrade(t, bg, 1, 2, 80, rng)
				all, err := study.Detect(context.Background(), img)
				if err != nil {
					t.Fatal(err)
				}
				for _, det := range all {
					if det.BrandID == tc.brand && boxIoU(det.Box, gt) >= 0.5 {
						p[k] = max(p[k], det.Confidence)
					}
				}
				if !inFigure {
					wantOnly(t, d, img, tc.brand, gt)
				}
			}
			t.Logf("alone %.3f, in a figure %.3f", p[0], p[1])
			if p[1] == 0 || p[1] >= p[0] {
				t.Errorf("the model gives the mark alone %.3f and in a figure %.3f (0: not considered)", p[0], p[1])
			}
		})
	}
}

// TestGreyInfoCarriesACrowdedMark: small marks printed on a panel (New
// Balance and Sony at 40 px, Samsung at 90, as many of the benchmark's
// marks lost from 16 to 1,000 references are), read by the model in the
// training mode among our 16 references, then with the margin and crowd
// a thousand references leave them (1.0 and 1.2: other wordmarks fit the
// region nearly as well; docs/benchmarks.md, "Marks with a high grey
// reading lost from 16 to 1,000 references, session 20"), are still
// reported on their grey template's correlation, read as information
// (greyInfo); with the grey readings of the look-alike false alarms at
// 1,000 references (0.84, the runner-up 0.4) in its place they are not:
// the print's grey is worth 2 or more of log-odds over the look-alike's.
func TestGreyInfoCarriesACrowdedMark(t *testing.T) {
	if testing.Short() {
		t.Skip("prepares 16 references")
	}
	marks := loadDir(t, "testdata/marks")
	scenes := loadDir(t, "testdata/scenes")
	cfg := DefaultConfig()
	study := newConfiguredDetector(t, cfg, refsFrom(marks))
	study.decideStudy = true
	for _, tc := range []struct {
		brand string
		long  float64
	}{{"newbalance", 40}, {"sony", 40}, {"samsung", 90}} {
		t.Run(tc.brand, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tc.long), 20))
			bg := toRGBA(scenes["home"])
			gt := synth.Composite(bg, synth.MarkAlpha(marks[tc.brand]), synth.Placement{Long: tc.long, Angle: 8, Persp: 0.03, CX: 320, CY: 240, FG: black, Patch: &white}, rng)
			img := degrade(t, bg, 1, 2, 70, rng)
			all, err := study.Detect(context.Background(), img)
			if err != nil {
				t.Fatal(err)
			}
			var best *Detection
			for i, det := range all {
				if det.BrandID == tc.brand && boxIoU(det.Box, gt) >= 0.5 && det.features != nil && (best == nil || det.Confidence > best.Confidence) {
					best = &all[i]
				}
			}
			if best == nil || best.grey.inner <= 0 {
				t.Fatalf("no match of %s with its grey read over the mark (%+v)", tc.brand, all)
			}
			x := *best.features
			if want := greyInfo(best.grey.inner); x[fGreyInner] != want {
				t.Errorf("grey feature %g, want the correlation %.3f's information %g", x[fGreyInner], best.grey.inner, want)
			}
			x[fMargin], x[fCrowd] = 1.0, 1.2
			z := decideWeights.logit(&x)
			x[fGreyInner], x[fGreyMargin] = greyInfo(0.84), greyInfo(0.84)-greyInfo(0.4)
			zLook := decideWeights.logit(&x)
			crowded, lookAlike := sigmoid(z), sigmoid(zLook)
			t.Logf("grey %.3f (second %.3f): %.3f alone, %.3f crowded, %.3f with a look-alike's grey", best.grey.inner, best.greySecond.inner, best.Confidence, crowded, lookAlike)
			if crowded < cfg.LearnedMin || lookAlike >= cfg.LearnedMin {
				t.Errorf("crowded %.3f, with a look-alike's grey %.3f; want at least %g and under it", crowded, lookAlike, cfg.LearnedMin)
			}
			// The correlation read linearly (session 19's model) put 0.6
			// to 1.3 of log-odds between the two.
			if z-zLook < 2 {
				t.Errorf("the print's grey leads the look-alike's by %.2f of log-odds, want 2 or more", z-zLook)
			}
		})
	}
}
