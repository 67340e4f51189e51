package logo

import (
	"bytes"
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGreyWindowReadsAsWholeRaster: a greyWindow of part of a photo's grey
// raster reads, pixel by pixel and crop by crop, as the whole raster with
// everything outside the window zeroed, which is what inkNearness and
// projectedGrey made before they stored only their window.
func TestGreyWindowReadsAsWholeRaster(t *testing.T) {
	scenes := loadDir(t, "testdata/scenes")
	g, _ := toGray(scenes["fruits"], DefaultConfig().MaxSide, false)
	rng := rand.New(rand.NewPCG(21, 1))
	whole := wholeWindow(g)
	for k := range 50 {
		win := image.Rect(rng.IntN(g.w)-20, rng.IntN(g.h)-20, rng.IntN(g.w)+20, rng.IntN(g.h)+20).Canon().Intersect(image.Rect(0, 0, g.w, g.h))
		if k == 0 {
			win = image.Rectangle{}
		}
		zeroed := make([]uint8, len(g.pix))
		gw := greyWindow{w: g.w, h: g.h, win: win, pix: make([]uint8, win.Dx()*win.Dy())}
		for y := win.Min.Y; y < win.Max.Y; y++ {
			for x := win.Min.X; x < win.Max.X; x++ {
				zeroed[y*g.w+x] = g.pix[y*g.w+x]
				gw.pix[(y-win.Min.Y)*win.Dx()+x-win.Min.X] = g.pix[y*g.w+x]
			}
		}
		for range 200 {
			x, y := rng.IntN(g.w), rng.IntN(g.h)
			if got, want := gw.at(x, y), zeroed[y*g.w+x]; got != want {
				t.Fatalf("window %v at (%d, %d): %d, want %d", win, x, y, got, want)
			}
			if got, want := whole.at(x, y), g.pix[y*g.w+x]; got != want {
				t.Fatalf("whole raster at (%d, %d): %d, want %d", x, y, got, want)
			}
		}
		crop := image.Rect(rng.IntN(g.w), rng.IntN(g.h), rng.IntN(g.w), rng.IntN(g.h)).Canon()

		want := make([]uint8, crop.Dx()*crop.Dy())
		for y := crop.Min.Y; y < crop.Max.Y; y++ {
			copy(want[(y-crop.Min.Y)*crop.Dx():], zeroed[y*g.w+crop.Min.X:y*g.w+crop.Max.X])
		}
		if got := gw.crop(crop); !bytes.Equal(got, want) {
			t.Fatalf("window %v, crop %v: differs from the zeroed raster's", win, crop)
		}
	}
}

// TestRoundLevelIsMathRound: roundLevel rounds every level in [0, 255] as
// math.Round does, the halves and the doubles next to them included.
func TestRoundLevelIsMathRound(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 2))
	var xs []float64
	for k := range 256 {
		h := float64(k) + 0.5
		xs = append(xs, float64(k), h, math.Nextafter(h, 0), math.Nextafter(h, 300), math.Nextafter(float64(k), 300))
	}
	xs = append(xs, 0.49999999999999994, math.Copysign(0, -1))
	for range 100000 {
		xs = append(xs, 255*rng.Float64())
	}
	for _, x := range xs {
		if x > 255 {
			continue
		}
		if got, want := roundLevel(x), uint8(math.Round(x)); got != want {
			t.Fatalf("roundLevel(%v) = %d, want %d", x, got, want)
		}
	}
}
