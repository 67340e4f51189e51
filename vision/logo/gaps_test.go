package logo

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"testing"

	"counterlens/internal/synth"
)

// closedAlpha returns a's coverage with the gaps between its parts closed
// (a square closing of radius r pixels): the mark's outline as one blob.
func closedAlpha(a *image.Alpha, r int) *image.Alpha {
	b := a.Bounds()
	w, h := b.Dx(), b.Dy()
	// Pad by r so that the closing does not clip at the edge.
	W, H := w+2*r, h+2*r
	on := make([]bool, W*H)
	for y := range h {
		for x := range w {
			on[(y+r)*W+x+r] = a.AlphaAt(b.Min.X+x, b.Min.Y+y).A > 127
		}
	}
	pass := func(src []bool, grow, horiz bool) []bool {
		out := make([]bool, len(src))
		for y := range H {
			for x := range W {
				v := !grow
				for k := -r; k <= r; k++ {
					xx, yy := x, y
					if horiz {
						xx += k
					} else {
						yy += k
					}
					in := xx >= 0 && yy >= 0 && xx < W && yy < H && src[yy*W+xx]
					if grow && in {
						v = true
					}
					if !grow && !in {
						v = false
					}
				}
				out[y*W+x] = v
			}
		}
		return out
	}
	on = pass(pass(on, true, true), true, false)
	on = pass(pass(on, false, true), false, false)
	out := image.NewAlpha(image.Rect(0, 0, W, H))
	for i, v := range on {
		if v {
			out.Pix[i] = 255
		}
	}
	return out
}

// TestGapsSeparatePrintsFromBlobs: registered marks of several parts
// (PlayStation's P and S, Reebok's four bars, the North Face's arcs),
// printed and blurred, are found; the same outlines as blobs of one ink
// (the gaps between the parts filled, as a fold of cloth whose outline is
// the mark's hull fills them) are not reported, though the PlayStation
// blobs' silhouettes fit well enough to be reported without the check.
// The detector without the check (GapMin 0) is only logged beside it.
func TestGapsSeparatePrintsFromBlobs(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scenes := loadDir(t, "testdata/scenes")
	detector := func(gapMin float64) *Detector {
		cfg := DefaultConfig()
		cfg.GapMin = gapMin
		return newConfiguredDetector(t, cfg, refsFrom(marks))
	}
	d, off := detector(0.05), detector(0)
	for _, brand := range []string{"playstation", "reebok", "thenorthface", "adidas", "jbl", "sony"} {
		for _, long := range []float64{150, 200} {
			name := fmt.Sprintf("%s/%.0fpx", brand, long)
			pl := synth.Placement{Long: long, Angle: 8, Persp: 0.03, CX: 320, CY: 240, FG: black, Patch: &white}
			t.Run(name+"/print", func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(long), 3))
				bg := toRGBA(scenes["home"])
				gt := synth.Composite(bg, synth.MarkAlpha(marks[brand]), pl, rng)
				img := degrade(t, bg, 1, 2, 70, rng)
				for _, det := range detect(t, off, img) {
					t.Logf("without the check: %s %.3f (score %.3f)", det.BrandID, det.Confidence, det.score)
				}
				wantOnly(t, d, img, brand, gt)
				for _, det := range detect(t, d, img) {
					t.Logf("with it: %s %.3f, gap level %.3f", det.BrandID, det.Confidence, det.gap)
				}
			})
			t.Run(name+"/blob", func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(long), 3))
				bg := toRGBA(scenes["home"])
				synth.Composite(bg, closedAlpha(synth.MarkAlpha(marks[brand]), 14), pl, rng)
				img := degrade(t, bg, 1, 2, 70, rng)
				for _, det := range detect(t, off, img) {
					t.Logf("without the check: %s %.3f (score %.3f)", det.BrandID, det.Confidence, det.score)
				}
				for _, det := range detect(t, d, img) {
					if det.BrandID == brand {
						t.Errorf("blob reported as %s: %+v", brand, det)
					}
				}
			})
		}
	}
}

func detect(t *testing.T, d *Detector, img image.Image) []Detection {
	t.Helper()
	dets, err := d.Detect(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	return dets
}

// TestGapsReadOnTheTaperedView: a print of a mark of several parts at 8%
// perspective and 300-380 px, whose region fits a tapered view of the
// reference better than its aligned view (taper.go), has its gaps read
// on that view (gapViewPose), as the matcher compared them: they lie off
// the ink (level over GapMin, and over the aligned view's level). On the
// aligned view the far end's gaps lie cells off the photo's: a Fila of
// 382 px on seed 46 read 0.03 there and was cut by GapMin.
func TestGapsReadOnTheTaperedView(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	cfg := DefaultConfig()
	tapered := 0
	for _, brand := range []string{"fila", "reebok", "samsung"} {
		d := newTestDetector(t, []Reference{{LogoID: brand, BrandID: brand, Image: marks[brand]}})
		p := d.refs.Load().byID[brand]
		for _, long := range []float64{300, 380} {
			for seed := uint64(1); seed <= 3; seed++ {
				c, score, g, col := placedRegion(t, synth.MarkAlpha(marks[brand]), p, long, 6, 0.08, seed)
				if c == nil || score < cfg.ShapeMid {
					t.Logf("%s %.0f px seed %d: no region over the mark scores ShapeMid (%.3f)", brand, long, seed, score)
					continue
				}
				plain, ok := bestPose(c, p)
				pose, _ := gapViewPose(c, p, cfg)
				if !ok || pose.v == plain.v {
					continue
				}
				tapered++
				at, atOK := gapLevelAt(c, pose, g, col)
				flat, _ := gapLevelAt(c, plain, g, col)
				t.Logf("%s %.0f px seed %d: score %.3f, gaps %.3f on the tapered view (%.3f), %.3f on the aligned (%.3f)", brand, long, seed, score, at, pose.score, flat, plain.score)
				if !atOK || at < cfg.GapMin || at < flat {
					t.Errorf("%s %.0f px seed %d: gap level %.3f on the tapered view, %.3f on the aligned: want it off the ink (over GapMin %.2f) and over the aligned's", brand, long, seed, at, flat, cfg.GapMin)
				}
			}
		}
	}
	if tapered < 3 {
		t.Errorf("%d placements fit a tapered view better: want at least 3 (what this tests)", tapered)
	}
}
