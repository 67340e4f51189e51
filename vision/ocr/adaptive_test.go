//go:build cgo

package ocr

import (
	"bytes"
	"fmt"
	"image"
	"math/rand/v2"
	"testing"

	"gocv.io/x/gocv"
)

// TestLetterThresholds: the shared mean gives, pixel for pixel, what the
// two AdaptiveThreshold calls gave, on the half-size levels of real
// photos, on random images (flat ones, noise, images smaller than the
// window, odd sizes) and on a region of a larger image, whose border is
// replicated from its own edge and not read from the pixels around it.
func TestLetterThresholds(t *testing.T) {
	check := func(t *testing.T, half gocv.Mat, flat bool) {
		t.Helper()
		wantDark, wantLight := gocv.NewMat(), gocv.NewMat()
		defer wantDark.Close()
		defer wantLight.Close()
		gocv.AdaptiveThreshold(half, &wantDark, 255, gocv.AdaptiveThresholdMean, gocv.ThresholdBinaryInv, letterBlock, letterC)
		gocv.AdaptiveThreshold(half, &wantLight, 255, gocv.AdaptiveThresholdMean, gocv.ThresholdBinary, letterBlock, -letterC)
		dark, light := gocv.NewMat(), gocv.NewMat()
		defer dark.Close()
		defer light.Close()
		letterThresholds(half, &dark, &light)
		for _, c := range []struct {
			name      string
			got, want gocv.Mat
		}{{"dark", dark, wantDark}, {"light", light, wantLight}} {
			got, want := c.got.ToBytes(), c.want.ToBytes()
			if !bytes.Equal(got, want) {
				diff := 0
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						diff++
					}
				}
				t.Errorf("%s: %d of %d pixels differ from AdaptiveThreshold's (%d×%d)", c.name, diff, len(want), half.Cols(), half.Rows())
			}
		}
		if n := gocv.CountNonZero(wantDark) + gocv.CountNonZero(wantLight); n == 0 && !flat {
			t.Errorf("no pixel set on a %d×%d image: the comparison proves nothing", half.Cols(), half.Rows())
		}
	}
	for _, name := range []string{"fruits.jpg", "building.jpg", "home.jpg", "messi5.jpg"} {
		t.Run(name, func(t *testing.T) {
			g, err := grayMat(scaleMax(loadImage(t, "testdata/"+name), 1000))
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			half := gocv.NewMat()
			defer half.Close()
			gocv.Resize(g, &half, image.Pt(g.Cols()/2, g.Rows()/2), 0, 0, gocv.InterpolationArea)
			check(t, half, false)
			// a region: its border comes from its own edge pixels
			roi := half.Region(image.Rect(37, 21, 37+151, 21+88))
			defer roi.Close()
			check(t, roi, false)
		})
	}
	rng := rand.New(rand.NewPCG(4, 2))
	for i, sz := range []image.Point{{1, 1}, {3, 2}, {7, 15}, {15, 15}, {16, 9}, {31, 17}, {101, 64}, {257, 129}, {500, 333}} {
		for _, kind := range []string{"noise", "flat", "blocks"} {
			t.Run(fmt.Sprintf("%s/%dx%d", kind, sz.X, sz.Y), func(t *testing.T) {
				pix := make([]byte, sz.X*sz.Y)
				for j := range pix {
					switch kind {
					case "noise":
						pix[j] = byte(rng.IntN(256))
					case "flat":
						pix[j] = byte(100 + i)
					case "blocks": // letters of 0 and 255 on grey with some noise
						x, y := j%sz.X, j/sz.X
						v := 128 + rng.IntN(9) - 4
						if (x/5+y/7)%3 == 0 {
							v = 255 * ((x / 5) % 2)
						}
						pix[j] = byte(v)
					}
				}
				m, err := gocv.NewMatFromBytes(sz.Y, sz.X, gocv.MatTypeCV8U, pix)
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				check(t, m, kind == "flat" || sz.X*sz.Y < 100)
			})
		}
	}
}
