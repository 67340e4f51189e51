package runs

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"
)

// plainCut is Cut's definition: a pixel by pixel scan of each row.
func plainCut(pix []byte, stride int, r image.Rectangle, t byte, above, below *Set) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		above.StartRow()
		below.StartRow()
		row := pix[y*stride+r.Min.X : y*stride+r.Max.X]
		yy := int32(y - r.Min.Y)
		for x := 0; x < len(row); {
			s := x
			if row[x] > t {
				for x < len(row) && row[x] > t {
					x++
				}
				above.Runs = append(above.Runs, Run{int32(s), int32(x), yy})
			} else {
				for x < len(row) && row[x] <= t {
					x++
				}
				below.Runs = append(below.Runs, Run{int32(s), int32(x), yy})
			}
		}
	}
	above.StartRow()
	below.StartRow()
}

// TestCutMatchesDefinition checks Cut's word-at-a-time scan against the
// pixel by pixel one, at every threshold, on rows of noise, of long runs
// and of values next to the threshold (where the byte arithmetic's carries
// would show), with widths around the eight-pixel word and windows that
// start off the row's start.
func TestCutMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const stride = 61
	for trial := range 60 {
		h := 7
		pix := make([]byte, stride*h)
		switch trial % 3 {
		case 0: // noise
			for i := range pix {
				pix[i] = byte(rng.IntN(256))
			}
		case 1: // runs of 1 to 20 pixels
			for i := 0; i < len(pix); {
				v, l := byte(rng.IntN(256)), 1+rng.IntN(20)
				for ; l > 0 && i < len(pix); l-- {
					pix[i] = v
					i++
				}
			}
		case 2: // around one value
			c := rng.IntN(256)
			for i := range pix {
				pix[i] = byte(min(255, max(0, c+rng.IntN(5)-2)))
			}
		}
		x0 := rng.IntN(5)
		r := image.Rect(x0, 1, x0+rng.IntN(stride-x0+1), h)
		for th := range 256 {
			var a, b, pa, pb Set
			Cut(pix, stride, r, byte(th), &a, &b)
			plainCut(pix, stride, r, byte(th), &pa, &pb)
			if !slices.Equal(a.Runs, pa.Runs) || !slices.Equal(a.Rows, pa.Rows) ||
				!slices.Equal(b.Runs, pb.Runs) || !slices.Equal(b.Rows, pb.Rows) {
				t.Fatalf("trial %d, window %v, threshold %d: runs above %v / %v, below %v / %v",
					trial, r, th, a.Runs, pa.Runs, b.Runs, pb.Runs)
			}
		}
	}
}

// BenchmarkCut cuts a smooth 1000 x 750 raster (a blurred photo's runs are
// tens of pixels long) at the grey ladder's ten thresholds, with Cut and
// with its pixel by pixel definition.
func BenchmarkCut(b *testing.B) {
	const w, h = 1000, 750
	rng := rand.New(rand.NewPCG(1, 2))
	pix := make([]byte, w*h)
	v := 128
	for i := range pix {
		if rng.IntN(12) == 0 {
			v = rng.IntN(256)
		}
		pix[i] = byte(v)
	}
	for _, bc := range []struct {
		name string
		cut  func([]byte, int, image.Rectangle, byte, *Set, *Set)
	}{{"words", Cut}, {"plain", plainCut}} {
		b.Run(bc.name, func(b *testing.B) {
			var above, below Set
			b.ReportAllocs()
			for b.Loop() {
				for t := 24; t < 256; t += 24 {
					above.Reset()
					below.Reset()
					bc.cut(pix, w, image.Rect(0, 0, w, h), byte(t), &above, &below)
				}
			}
		})
	}
}
