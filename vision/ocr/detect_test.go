//go:build cgo

package ocr

import (
	"encoding/binary"
	"image"
	"math"
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
