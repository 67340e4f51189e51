//go:build cgo

package ecc

import (
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"gocv.io/x/gocv"
)

// disc draws a w x h grey image with a dark bar and disc on light ground,
// shifted by (dx, dy).
func disc(w, h int, dx, dy float64) gocv.Mat {
	m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(220, 0, 0, 0), h, w, gocv.MatTypeCV8U)
	gocv.Circle(&m, image.Pt(int(float64(w)/2+dx), int(float64(h)/2+dy)), h/4, color.RGBA{30, 30, 30, 0}, -1)
	gocv.Rectangle(&m, image.Rect(int(10+dx), int(8+dy), int(30+dx), int(14+dy)), color.RGBA{30, 30, 30, 0}, -1)
	return m
}

// TestAlignRecoversShift: a template aligned on the same drawing moved by
// (3, -2) pixels comes back with that translation and a correlation near
// 1, with one level and with two.
func TestAlignRecoversShift(t *testing.T) {
	tmpl := disc(64, 48, 0, 0)
	defer tmpl.Close()
	input := disc(64, 48, 3, -2)
	defer input.Close()
	for _, levels := range []int{1, 2} {
		warp := [9]float32{1, 0, 0, 0, 1, 0, 0, 0, 1}
		rho, err := Align(tmpl, input, &warp, levels, 50, 1e-5, 5)
		if err != nil {
			t.Fatalf("levels %d: %v", levels, err)
		}
		if rho < 0.95 || math.Abs(float64(warp[2])-3) > 0.5 || math.Abs(float64(warp[5])+2) > 0.5 {
			t.Errorf("levels %d: rho %.3f, shift (%.2f, %.2f), want > 0.95 and (3, -2)", levels, rho, warp[2], warp[5])
		}
	}
}

// TestAlignNoise: OpenCV throws when the iteration cannot converge (a flat
// input); the binding returns ErrNoConvergence instead of aborting.
func TestAlignNoise(t *testing.T) {
	tmpl := disc(64, 48, 0, 0)
	defer tmpl.Close()
	flat := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(128, 0, 0, 0), 48, 64, gocv.MatTypeCV8U)
	defer flat.Close()
	warp := [9]float32{1, 0, 0, 0, 1, 0, 0, 0, 1}
	if _, err := Align(tmpl, flat, &warp, 1, 50, 1e-5, 5); !errors.Is(err, ErrNoConvergence) {
		t.Errorf("flat input: err %v, want ErrNoConvergence", err)
	}
	// Noise: either no convergence or a low correlation, never a crash.
	noise := gocv.NewMatWithSize(48, 64, gocv.MatTypeCV8U)
	defer noise.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range 48 {
		for x := range 64 {
			noise.SetUCharAt(y, x, uint8(rng.IntN(256)))
		}
	}
	warp = [9]float32{1, 0, 0, 0, 1, 0, 0, 0, 1}
	if rho, err := Align(tmpl, noise, &warp, 2, 50, 1e-5, 5); err == nil && rho > 0.5 {
		t.Errorf("noise: rho %.3f, want low or no convergence", rho)
	}
}
