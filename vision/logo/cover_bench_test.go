package logo

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"counterlens/internal/cpuclock"
)

// coverage prints how many of the dev set's registered marks have a
// candidate region over them (box IoU >= 0.5: the most a match can need),
// the regions a photo and what generating them cost, and, per mark
// without one, how it was drawn. It runs no matching, so it measures the
// candidate generators alone (COUNTERLENS_BENCH_COVER=1; with
// COUNTERLENS_BENCH_CROPS=dir it also saves those marks' crops).
func coverage(b *testing.B, set []devImage) {
	cfg := DefaultConfig()
	if v, err := strconv.Atoi(os.Getenv("COUNTERLENS_BENCH_CHROMA")); err == nil {
		cfg.ChromaStep = v
	}
	marks, covered, regions, colour := 0, 0, 0, 0
	cpu0 := cpuclock.Used()
	for ii, im := range set {
		g, scale := toGray(im.img, cfg.MaxSide, false)
		cands, _, err := photoCandidates(context.Background(), im.img, g, scale, cfg)
		if err != nil {
			b.Fatal(err)
		}
		regions += len(cands)
		for _, c := range cands {
			if c.colour {
				colour++
			}
		}
		for k, boxes := range im.gt {
			for j, r := range boxes {
				marks++
				best := 0.0
				for _, c := range cands {
					best = max(best, boxIoU(scaleRect(c.box, 1/scale), r))
				}
				if best >= 0.5 {
					covered++
					continue
				}
				fmt.Printf("UNCOVERED img=%d %s %d %d %s blur=%d q=%d best_iou=%.2f\n", ii, k, max(r.Dx(), r.Dy()), min(r.Dx(), r.Dy()), im.how[k][j], im.blur, im.quality, best)
				if dir := os.Getenv("COUNTERLENS_BENCH_CROPS"); dir != "" {
					saveCrop(b, filepath.Join(dir, fmt.Sprintf("uncovered%03d_%s.png", ii, k)), im.img, r)
				}
			}
		}
	}
	cpu := cpuclock.Used() - cpu0
	fmt.Printf("coverage: images=%d marks=%d covered=%d (%.3f) regions_per_image=%.1f colour_per_image=%.1f cpu_ms_per_image=%.1f\n",
		len(set), marks, covered, float64(covered)/float64(max(1, marks)), float64(regions)/float64(len(set)),
		float64(colour)/float64(len(set)), float64(cpu.Milliseconds())/float64(len(set)))
}

// labOf converts an sRGB colour to CIE L*a*b* (D65 white): L in 0..100,
// a and b roughly -128..127. Euclidean distance in Lab (CIE76 ΔE) follows
// what the eye sees as a colour difference far better than RGB or grey
// levels do: a red mark on a green of the same brightness is 0 grey levels
// apart but ΔE 80.
func labOf(r, g, b uint8) [3]float64 {
	lin := func(v uint8) float64 {
		c := float64(v) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	R, G, B := lin(r), lin(g), lin(b)
	x := (0.4124564*R + 0.3575761*G + 0.1804375*B) / 0.95047
	y := 0.2126729*R + 0.7151522*G + 0.0721750*B
	z := (0.0193339*R + 0.1191920*G + 0.9503041*B) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x), f(y), f(z)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}
