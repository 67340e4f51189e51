//go:build cgo

package ocr

import (
	"image"
	"testing"
)

// TestHistogramSeparability: OpenCV's histogram of a region of a real
// photo counts what a loop over its pixels counts, and the two-tone test
// it feeds tells a rendered banner from the photo around it.
func TestHistogramSeparability(t *testing.T) {
	photo := loadImage(t, "testdata/fruits.jpg")
	img, band := render(t, photo, loadFont(t, "testdata/LiberationSans-Bold.ttf"),
		banner{Text: "REPLICA", Size: 26, At: image.Pt(40, 60), Dark: true})
	g, err := grayMat(img)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	pix := g.ToBytes()
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
			got := histogram(roi)
			var want [256]float64
			for y := tc.r.Min.Y; y < tc.r.Max.Y; y++ {
				for x := tc.r.Min.X; x < tc.r.Max.X; x++ {
					want[pix[y*g.Cols()+x]]++
				}
			}
			if got != want {
				t.Fatalf("histogram of %v differs from the pixels' counts", tc.r)
			}
			if s := separability(got); (s >= minSeparability) != tc.twoTones {
				t.Errorf("separability %.3f, want two tones %v (threshold %.2f)", s, tc.twoTones, minSeparability)
			}
		})
	}
}
