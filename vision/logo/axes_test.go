package logo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRasterizeMatchesDefinitionOnRandomMasks wants rasterizeLinear (its
// path for maps that only scale each axis, and its columns clipped to the
// grid, see gridSpan) to give the very grid of the definition
// (plainRasterizeLinear) for random masks from 4 to 400 pixels a side,
// sparse and dense, under the map of a region's own view (rasterize at
// angle 0, whose off-axis terms are signed zeros), under unequal and
// mirrored scales, under whitened rotations as of an aligned view, and at
// scales where cells are smaller than a pixel.
func TestRasterizeMatchesDefinitionOnRandomMasks(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 0
	for range 1000 {
		w, h := 4+rng.IntN(397), 4+rng.IntN(397)
		if rng.IntN(2) == 0 {
			w, h = 4+rng.IntN(60), 4+rng.IntN(60)
		}
		pix := make([]uint8, w*h)
		p := rng.Float64()
		// Blobs, so that cells are mixed and not just noise.
		cx, cy, r := rng.Float64()*float64(w), rng.Float64()*float64(h), rng.Float64()*float64(max(w, h))
		for y := range h {
			for x := range w {
				if math.Hypot(float64(x)-cx, float64(y)-cy) < r || rng.Float64() < p*0.3 {
					pix[y*w+x] = uint8(1 + rng.IntN(255))
				}
			}
		}
		src := maskSource{w: w, h: h, pix: pix}
		mo, ok := measure(src)
		if !ok {
			continue
		}
		k := 1 / mo.radius
		f := math.Exp(rng.Float64()*6 - 3) // cells from far under a pixel to many
		a := (rng.Float64()*2 - 1) * math.Pi
		k1, k2 := k*f, k*f*(1+rng.Float64()*8)
		maps := [][4]float64{
			{k * math.Cos(0), -k * math.Sin(0), k * math.Sin(0), k * math.Cos(0)},
			{k * f, 0, 0, k / f},
			{-k * f, math.Copysign(0, -1), 0, k * f * 1.7},
			{k * f, 0, math.Copysign(0, -1), -k * f},
			{k1 * math.Cos(a), -k1 * math.Sin(a), k2 * math.Sin(a), k2 * math.Cos(a)},
		}
		for i, A := range maps {
			if got, want := rasterizeLinear(src, mo, A), plainRasterizeLinear(src, mo, A); got != want {
				t.Fatalf("%dx%d mask, map %d %v: raster differs from the definition", w, h, i, A)
			}
			n++
		}
		if got, want := rasterize(src, mo, 0), plainRasterizeLinear(src, mo, maps[0]); got != want {
			t.Fatalf("%dx%d mask: rasterize at 0° differs from the definition", w, h)
		}
	}
	if n < 4000 {
		t.Fatalf("only %d rasters compared", n)
	}
}
