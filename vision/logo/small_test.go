package logo

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"counterlens/internal/synth"
)

// smallScores composites brand's mark, long px wide, dark on a light
// patch into the home photo (12°, slight perspective), box-blurred over
// 3x3 pixels when blur is set, JPEG 70, and returns the best score of the
// regions over it against the prepared reference p, with its small
// renderings and without them.
func smallScores(t *testing.T, mark image.Image, p *prepared, long float64, blur int) (small, plain float64) {
	t.Helper()
	scene := loadImage(t, "testdata/scenes/home.jpg")
	rng := rand.New(rand.NewPCG(uint64(long), 3))
	bg := toRGBA(scene)
	gt := synth.Composite(bg, synth.MarkAlpha(mark), synth.Placement{Long: long, Angle: 12, Persp: 0.03, CX: 300, CY: 220, FG: black, Patch: &white}, rng)
	img := degrade(t, bg, blur, 2, 70, rng)
	// The regions at the ladder's levels, whose letters run together:
	// what the renderings meet where the mid cut (midcut.go) gives up.
	cfg := DefaultConfig()
	cfg.MidCut = false
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return scoresOver(cands, gt, scale, 0.6, p, func(q *prepared) { q.small = nil })
}

// scoresOver returns the best score against p of the regions of cands over
// gt (box IoU at least minIoU, boxes in working pixels at scale), with p
// as it is and with a copy of p that without changed.
func scoresOver(cands []*candidate, gt image.Rectangle, scale, minIoU float64, p *prepared, without func(*prepared)) (with, less float64) {
	cfg := DefaultConfig()
	q := *p
	without(&q)
	for _, c := range cands {
		if boxIoU(scaleRect(c.box, 1/scale), gt) < minIoU {
			continue
		}
		with = max(with, scoreRef(c, p, cfg, 0))
		less = max(less, scoreRef(c, &q, cfg, 0))
	}
	return with, less
}

// smallGains are the small placements of smallScores that the small
// renderings lift by at least 0.03, to at least ShapeMid; the others of
// TestSmallRendersRecoverSmallWordmarks are logged (crisp wordmarks at 55
// px mostly keep their shape, and a few score higher in a tapered view).
var smallGains = map[string]bool{
	"sony/40px/blur0":       true,
	"sony/40px/blur1":       true, // no score at all without them
	"samsung/40px/blur0":    true,
	"newbalance/40px/blur1": true,
	"newbalance/55px/blur1": true,
	"reebok/40px/blur1":     true,
	"reebok/55px/blur1":     true,
	"redbull/40px/blur0":    true,
	"redbull/40px/blur1":    true,
}

// TestSmallRendersRecoverSmallWordmarks: registered wordmarks 40 and 55 px
// long, crisp and blurred, score higher against the reference rendered at
// their size than against its 400-px silhouette (smallGains); at 150 px,
// beyond the renderings, nothing changes.
func TestSmallRendersRecoverSmallWordmarks(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	cfg := DefaultConfig()
	for _, brand := range []string{"sony", "samsung", "cocacola", "newbalance", "thenorthface", "reebok", "redbull"} {
		p, err := prepare(Reference{LogoID: brand, BrandID: brand, Image: marks[brand]}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, long := range []float64{40, 55, 150} {
			for _, blur := range []int{0, 1} {
				name := fmt.Sprintf("%s/%vpx/blur%d", brand, long, blur)
				t.Run(name, func(t *testing.T) {
					small, plain := smallScores(t, marks[brand], p, long, blur)
					switch {
					case long > float64(smallSides[len(smallSides)-1]):
						if small != plain {
							t.Errorf("beyond the renderings: %.3f with them, %.3f without", small, plain)
						}
					case smallGains[name]:
						if small-plain < 0.03 || small < cfg.ShapeMid {
							t.Errorf("%.3f with the small renderings, %.3f without: want 0.03 more and >= %.2f", small, plain, cfg.ShapeMid)
						}
					default:
						t.Logf("%.3f with the small renderings, %.3f without", small, plain)
					}
				})
			}
		}
	}
}

// TestCoverSmall: area-averaging keeps the mark's coverage (a bar's pixels
// sum to its scaled area), blurring spreads it without changing the sum
// inside the margin, and the cut keeps what is covered enough.
func TestCoverSmall(t *testing.T) {
	// A 400x100 bar rendered at 40 px long: 40x10 fully covered pixels.
	bar := maskSource{w: 400, h: 100, pix: make([]uint8, 400*100)}
	for i := range bar.pix {
		bar.pix[i] = 1
	}
	for _, blur := range []bool{false, true} {
		c := coverSmall(bar, 40, blur)
		if c.w != 43 || c.h != 13 {
			t.Fatalf("blur %v: %dx%d, want 43x13 (a pixel of margin)", blur, c.w, c.h)
		}
		sum := 0.0
		for _, v := range c.c {
			sum += v
		}
		if math.Abs(sum-400) > 1e-9 {
			t.Errorf("blur %v: coverage sums to %.3f, want 400", blur, sum)
		}
		m := cutSmall(c, 0.5)
		n := 0
		for _, v := range m.pix {
			n += int(v)
		}
		// Blurred, the bar's corners fall to 4/9 and are cut off, its
		// sides keep 6/9 and the pixels around it get 3/9 or less.
		want := 400
		if blur {
			want = 400 - 4
		}
		if n != want {
			t.Errorf("blur %v: %d pixels at cut 0.5, want %d", blur, n, want)
		}
	}
	// A stroke one output pixel wide survives the crisp cut, not the
	// blurred one at 0.5 (its coverage falls to a third), but the 0.35 cut.
	line := maskSource{w: 400, h: 100, pix: make([]uint8, 400*100)}
	for y := 50; y < 60; y++ {
		for x := range 400 {
			line.pix[y*400+x] = 1
		}
	}
	count := func(m maskSource) (n int) {
		for _, v := range m.pix {
			n += int(v)
		}
		return n
	}
	if n := count(cutSmall(coverSmall(line, 40, false), 0.5)); n != 40 {
		t.Errorf("crisp 1-px stroke: %d pixels, want 40", n)
	}
	if n := count(cutSmall(coverSmall(line, 40, true), 0.5)); n != 0 {
		t.Errorf("blurred 1-px stroke at 0.5: %d pixels, want 0", n)
	}
	if n := count(cutSmall(coverSmall(line, 40, true), 0.3)); n < 38 {
		t.Errorf("blurred 1-px stroke at 0.3: %d pixels, want its length", n)
	}
}

// TestSmallRendersSurviveDescriptor: the small renderings are stored in
// the descriptor and read back as they were prepared.
func TestSmallRendersSurviveDescriptor(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	d := newTestDetector(t, []Reference{{LogoID: "sony", BrandID: "sony", Image: marks["sony"]}})
	p := d.refs.Load().byID["sony"]
	if len(p.small) != len(smallSides) {
		t.Fatalf("%d small renderings, want %d", len(p.small), len(smallSides))
	}
	b, _ := d.Descriptor("sony")
	q, err := decodePrepared(b, d.descVer)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.small, q.small) {
		t.Error("small renderings differ after a round trip through the descriptor")
	}
}

// mergedScores composites brand's mark, long px wide, in grey fg on a grey
// patch of contrast contrast into the home photo (15°, slight
// perspective), box-blurred over 3x3 pixels, JPEG 60, and returns the best
// score against p of the regions over it, with the merged renderings and
// with their slots repeating the half-coverage views.
func mergedScores(t *testing.T, mark image.Image, p *prepared, long float64, contrast uint8) (merged, half float64) {
	t.Helper()
	scene := loadImage(t, "testdata/scenes/home.jpg")
	rng := rand.New(rand.NewPCG(uint64(long)+uint64(contrast), 7))
	bg := toRGBA(scene)
	fg, patch := color.RGBA{170 - contrast, 170 - contrast, 170 - contrast, 255}, color.RGBA{170, 170, 165, 255}
	gt := synth.Composite(bg, synth.MarkAlpha(mark), synth.Placement{Long: long, Angle: 15, Persp: 0.02, CX: 300, CY: 220, FG: fg, Patch: &patch}, rng)
	img := degrade(t, bg, 1, 2, 60, rng)
	// The regions at the ladder's levels (see smallScores).
	cfg := DefaultConfig()
	cfg.MidCut = false
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return scoresOver(cands, gt, scale, 0.6, p, func(q *prepared) {
		q.small = append([]smallRender(nil), q.small...)
		for i := range q.small {
			vs := append([][2]shapeView(nil), q.small[i].views...)
			for j := range vs {
				if j%len(smallCuts) != 0 {
					vs[j] = vs[j-j%len(smallCuts)]
				}
			}
			q.small[i].views = vs
		}
	})
}

// mergedGains are the placements of mergedScores that the merged
// renderings lift by at least 0.05, to at least ShapeMid (most of them
// from no score at all: every half-coverage view is gated out); the
// others are logged.
var mergedGains = map[string]bool{
	"sony/60px/contrast50":         true,
	"sony/60px/contrast80":         true,
	"cocacola/38px/contrast80":     true,
	"cocacola/48px/contrast50":     true,
	"cocacola/60px/contrast50":     true,
	"thenorthface/38px/contrast50": true,
	"thenorthface/48px/contrast50": true,
	"thenorthface/60px/contrast50": true,
	"reebok/48px/contrast50":       true,
	"reebok/48px/contrast80":       true,
	"reebok/60px/contrast50":       true,
	"fila/38px/contrast50":         true,
	"fila/48px/contrast50":         true,
}

// TestMergedRendersRecoverMergedWordmarks: small blurred wordmarks in low
// contrast, whose letters run together in the photo, score higher against
// the merged renderings (mergedGains), and no placement scores lower.
func TestMergedRendersRecoverMergedWordmarks(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	cfg := DefaultConfig()
	for _, brand := range []string{"sony", "samsung", "cocacola", "newbalance", "thenorthface", "reebok", "fila"} {
		p, err := prepare(Reference{LogoID: brand, BrandID: brand, Image: marks[brand]}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, long := range []float64{38, 48, 60} {
			for _, contrast := range []uint8{50, 80} {
				name := fmt.Sprintf("%s/%vpx/contrast%d", brand, long, contrast)
				t.Run(name, func(t *testing.T) {
					merged, half := mergedScores(t, marks[brand], p, long, contrast)
					switch {
					case merged < half:
						t.Errorf("%.3f with the merged renderings, %.3f without: lower", merged, half)
					case mergedGains[name]:
						if merged-half < 0.05 || merged < cfg.ShapeMid {
							t.Errorf("%.3f with the merged renderings, %.3f without: want 0.05 more and >= %.2f", merged, half, cfg.ShapeMid)
						}
					default:
						t.Logf("%.3f with the merged renderings, %.3f without", merged, half)
					}
				})
			}
		}
	}
}

// TestMergedSlot: a rendering whose parts run together at mergeCut gets
// its merged view; one with nothing to merge repeats the half-coverage
// view in that slot; parts counts 8-connected parts.
func TestMergedSlot(t *testing.T) {
	// Two bars 100 px high, 16 px apart (as two letters), rendered at 32 px: a
	// gap of about a pixel and a half, which the blurred rendering fills
	// at mergeCut but not at half coverage.
	pair := maskSource{w: 344, h: 100, pix: make([]uint8, 344*100)}
	solid := maskSource{w: 344, h: 100, pix: make([]uint8, 344*100)}
	for y := range 100 {
		for x := range 344 {
			solid.pix[y*344+x] = 1
			if x < 160 || x >= 176 {
				pair.pix[y*344+x] = 1
			}
		}
	}
	if n := parts(pair); n != 2 {
		t.Fatalf("parts(pair) = %d, want 2", n)
	}
	if n := parts(solid); n != 1 {
		t.Fatalf("parts(solid) = %d, want 1", n)
	}
	cov := coverSmall(pair, 32, true)
	if h, m := parts(cutSmall(cov, 0.5)), parts(cutSmall(cov, mergeCut)); h != 2 || m != 1 {
		t.Fatalf("blurred pair at 32 px: %d parts at half coverage, %d at mergeCut; want 2 and 1", h, m)
	}
	for _, c := range []struct {
		name   string
		m      maskSource
		merged bool
	}{{"pair", pair, true}, {"solid", solid, false}} {
		t.Run(c.name, func(t *testing.T) {
			mo, ok := measure(c.m)
			if !ok {
				t.Fatal("cannot measure")
			}
			r := smallRenders(c.m, mo)[0] // 32 px
			blurHalf, blurMerged := r.views[len(smallCuts)], r.views[len(smallCuts)+1]
			same := blurHalf[0].hash == blurMerged[0].hash && blurHalf[0].maskN == blurMerged[0].maskN
			if same == c.merged {
				t.Errorf("blurred merged slot repeats the half cut: %v, want %v", same, !c.merged)
			}
		})
	}
}
