//go:build cgo

package ocr

import (
	"encoding/binary"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"gocv.io/x/gocv"
)

// TestHistogramSeparability: the histogram of a region of a real photo
// counts what OpenCV's calcHist counts, and the two-tone test it feeds
// tells a rendered banner from the photo around it.
func TestHistogramSeparability(t *testing.T) {
	photo := loadImage(t, "testdata/fruits.jpg")
	img, band := render(t, photo, loadFont(t, "testdata/LiberationSans-Bold.ttf"),
		banner{Text: "REPLICA", Size: 26, At: image.Pt(40, 60), Dark: true})
	g, err := grayMat(img)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	gs := greyOf(g)
	tests := []struct {
		name     string
		r        image.Rectangle
		twoTones bool
	}{
		{"banner", band, true},
		{"photo", image.Rect(150, 150, 450, 400), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			roi := g.Region(tc.r)
			defer roi.Close()
			got := gs.histogram(tc.r)
			if want := calcHist(roi); got != want {
				t.Fatalf("histogram of %v differs from OpenCV's", tc.r)
			}
			if s := separability(got); (s >= minSeparability) != tc.twoTones {
				t.Errorf("separability %.3f, want two tones %v (threshold %.2f)", s, tc.twoTones, minSeparability)
			}
		})
	}
}

// calcHist counts the grey levels of m (8-bit, one channel) with OpenCV.
func calcHist(m gocv.Mat) (hist [256]float64) {
	h, mask := gocv.NewMat(), gocv.NewMat()
	defer h.Close()
	defer mask.Close()
	gocv.CalcHist([]gocv.Mat{m}, []int{0}, mask, &h, []int{256}, []float64{0, 256}, false)
	raw := h.ToBytes() // 256 native-endian float32
	for i := range hist {
		hist[i] = float64(math.Float32frombits(binary.NativeEndian.Uint32(raw[i*4:])))
	}
	return hist
}

// TestHalve: each pixel of the half-size level is the rounded mean of its
// 2×2 block, an odd last row or column left out, at even and odd sizes.
func TestHalve(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, sz := range []image.Point{{2, 2}, {3, 3}, {8, 5}, {101, 64}, {500, 333}, {1000, 667}} {
		t.Run(fmt.Sprintf("%dx%d", sz.X, sz.Y), func(t *testing.T) {
			pix := make([]byte, sz.X*sz.Y)
			for i := range pix {
				pix[i] = byte(rng.IntN(256))
			}
			m, err := gocv.NewMatFromBytes(sz.Y, sz.X, gocv.MatTypeCV8U, pix)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			h := halve(m)
			defer h.Close()
			if h.Cols() != sz.X/2 || h.Rows() != sz.Y/2 {
				t.Fatalf("size %dx%d, want %dx%d", h.Cols(), h.Rows(), sz.X/2, sz.Y/2)
			}
			got := h.ToBytes()
			for y := range sz.Y / 2 {
				for x := range sz.X / 2 {
					s := int(pix[2*y*sz.X+2*x]) + int(pix[2*y*sz.X+2*x+1]) + int(pix[(2*y+1)*sz.X+2*x]) + int(pix[(2*y+1)*sz.X+2*x+1])
					// OpenCV rounds half to even on .5 (a sum of 2 mod 4)
					if want := (s + 2) / 4; int(got[y*(sz.X/2)+x]) != want && !(s%4 == 2 && int(got[y*(sz.X/2)+x]) == s/4) {
						t.Fatalf("(%d,%d) = %d, want the mean of its block %d", x, y, got[y*(sz.X/2)+x], want)
					}
				}
			}
		})
	}
}

// TestSeparabilityLevels: skipping the empty levels gives Otsu's criterion
// bit for bit as the sums over all 256 levels do, on sparse and dense
// random histograms and on one or two levels.
func TestSeparabilityLevels(t *testing.T) {
	all := func(hist [256]float64) float64 {
		n := 0.0
		for _, c := range hist {
			n += c
		}
		if n == 0 {
			return 0
		}
		mean := 0.0
		for i, c := range hist {
			mean += float64(i) * c
		}
		mean /= n
		total := 0.0
		for i, c := range hist {
			d := float64(i) - mean
			total += d * d * c
		}
		total /= n
		if total < 1 {
			return 0
		}
		best, w0, sum0 := 0.0, 0.0, 0.0
		for i, c := range hist {
			w0 += c / n
			sum0 += float64(i) * c / n
			if w0 <= 0 || w0 >= 1 {
				continue
			}
			m0 := sum0 / w0
			m1 := (mean - sum0) / (1 - w0)
			best = max(best, w0*(1-w0)*(m0-m1)*(m0-m1))
		}
		return best / total
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 3000 {
		var hist [256]float64
		levels := 1 + rng.IntN(256)
		for range levels {
			hist[rng.IntN(256)] += float64(1 + rng.IntN(500))
		}
		if i%10 == 0 {
			hist = [256]float64{}
			hist[rng.IntN(256)] = 7
			hist[rng.IntN(256)] += 9
		}
		if got, want := separability(hist), all(hist); got != want {
			t.Fatalf("histogram %d: %v, want %v over all levels", i, got, want)
		}
	}
}
