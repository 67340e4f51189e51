package logo

import (
	"image"
	"math"
	"testing"
)

// TestFrameCutSeparatesCutObjectsFromMarks: a ring whose lower part the
// frame cuts off (an arch, which fits arch-shaped marks) and a band that
// runs out of the picture are cut by the frame; the same ring inside the
// picture, a ring that dips into the frame at its tip, a disc against the
// frame and a picture that is the mark itself (frame-like) are not.
func TestFrameCutSeparatesCutObjectsFromMarks(t *testing.T) {
	cfg := DefaultConfig()
	const w, h = 400, 300
	ring := func(cx, cy, r float64) func(x, y int) bool {
		return func(x, y int) bool {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			return d <= r && d >= 0.7*r
		}
	}
	for _, tc := range []struct {
		name string
		in   func(x, y int) bool
		cut  bool
	}{
		{"ring inside", ring(200, 150, 80), false},
		{"ring dipping into the bottom at its tip", ring(200, 220, 80), false},
		{"small disc against the top", func(x, y int) bool { return math.Hypot(float64(x)+0.5-100, float64(y)+0.5-20.5) <= 20 }, false},
		{"ring cut by the bottom", ring(200, 260, 80), true},
		{"ring cut by the left side", ring(30, 150, 80), true},
		{"band out of the picture", func(x, y int) bool { return y >= 100 && y < 140 && x >= 150 }, true},
		{"mark filling the picture", func(x, y int) bool { return x > 2 && y >= 0 && y < h-5 && (x+y)%97 < 60 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			box := image.Rectangle{Min: image.Pt(w, h)}
			for y := range h {
				for x := range w {
					if tc.in(x, y) {
						box = box.Union(image.Rect(x, y, x+1, y+1))
					}
				}
			}
			pix := make([]uint8, box.Dx()*box.Dy())
			for y := box.Min.Y; y < box.Max.Y; y++ {
				for x := box.Min.X; x < box.Max.X; x++ {
					if tc.in(x, y) {
						pix[(y-box.Min.Y)*box.Dx()+x-box.Min.X] = 1
					}
				}
			}
			cs := addCandidate(nil, pix, box, cfg)
			if len(cs) != 1 {
				t.Fatalf("no region for the shape (box %v)", box)
			}
			g := grayImage{w: w, h: h, pix: make([]uint8, w*h)}
			t.Logf("share on the frame %.2f", frameCut(cs[0], w, h))
			if got := cfg.cutByFrame(cs[0], g, rgbImage{}); got != tc.cut {
				t.Errorf("cut by the frame %v (share %.2f), want %v", got, frameCut(cs[0], w, h), tc.cut)
			}
		})
	}
}
