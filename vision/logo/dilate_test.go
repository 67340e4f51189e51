package logo

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestDilateMatchesDefinition wants dilate's row-at-a-time growth to be
// the 3x3 square around each mask pixel, clipped to the raster, for random
// masks in boxes at the raster's edges and inside it, reusing one buffer.
func TestDilateMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	const w, h = 40, 30
	var buf []uint8
	for trial := range 500 {
		x0, y0 := rng.IntN(w), rng.IntN(h)
		box := image.Rect(x0, y0, x0+1+rng.IntN(w-x0), y0+1+rng.IntN(h-y0))
		pix := make([]uint8, box.Dx()*box.Dy())
		density := rng.IntN(4)
		for i := range pix {
			if rng.IntN(8) < density {
				pix[i] = 1
			}
		}
		wantBox := box.Inset(-1).Intersect(image.Rect(0, 0, w, h))
		want := make([]uint8, wantBox.Dx()*wantBox.Dy())
		for y := box.Min.Y; y < box.Max.Y; y++ {
			for x := box.Min.X; x < box.Max.X; x++ {
				if pix[(y-box.Min.Y)*box.Dx()+x-box.Min.X] == 0 {
					continue
				}
				for Y := y - 1; Y <= y+1; Y++ {
					for X := x - 1; X <= x+1; X++ {
						if (image.Point{X, Y}).In(wantBox) {
							want[(Y-wantBox.Min.Y)*wantBox.Dx()+X-wantBox.Min.X] = 1
						}
					}
				}
			}
		}
		var got image.Rectangle
		got, buf = dilate(buf, pix, box, w, h)
		if got != wantBox || !slices.Equal(buf, want) {
			t.Fatalf("trial %d: box %v: grown %v %v, want %v %v", trial, box, got, buf, wantBox, want)
		}
	}
}
