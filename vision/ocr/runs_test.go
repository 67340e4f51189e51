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

// openingsByOpenCV is what findWords did before dropLongRuns: each
// opening with a line subtracted from the image in turn.
func openingsByOpenCV(t *testing.T, bw gocv.Mat) []byte {
	t.Helper()
	out := bw.Clone()
	defer out.Close()
	for _, k := range []image.Point{{lineLen, 1}, {1, lineLen}} {
		ker := gocv.GetStructuringElement(gocv.MorphRect, k)
		long := gocv.NewMat()
		gocv.MorphologyEx(out, &long, gocv.MorphOpen, ker)
		gocv.Subtract(out, long, &out)
		long.Close()
		ker.Close()
	}
	return out.ToBytes()
}

// TestDropLongRuns: the run-length pass gives, pixel for pixel, what
// OpenCV's two openings give, on the edge maps of real photos at the
// search's three scales and on random images whose runs cross the border.
func TestDropLongRuns(t *testing.T) {
	check := func(t *testing.T, bw gocv.Mat) {
		want := openingsByOpenCV(t, bw)
		got := bw.ToBytes()
		dropLongRuns(got, bw.Cols(), bw.Rows(), lineLen)
		if !bytes.Equal(got, want) {
			diff := 0
			for i := range got {
				if got[i] != want[i] {
					diff++
				}
			}
			t.Fatalf("%d of %d pixels differ from OpenCV's openings", diff, len(got))
		}
	}
	for _, name := range []string{"fruits.jpg", "building.jpg", "home.jpg", "messi5.jpg"} {
		g, err := grayMat(scaleMax(loadImage(t, "testdata/"+name), 1000))
		if err != nil {
			t.Fatal(err)
		}
		for level := 0; level < 3; level++ {
			t.Run(fmt.Sprintf("%s/level%d", name, level), func(t *testing.T) {
				grad, bw := gocv.NewMat(), gocv.NewMat()
				defer grad.Close()
				defer bw.Close()
				k3 := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(3, 3))
				defer k3.Close()
				gocv.MorphologyEx(g, &grad, gocv.MorphGradient, k3)
				gocv.Threshold(grad, &bw, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu)
				check(t, bw)
			})
			small := gocv.NewMat()
			gocv.Resize(g, &small, image.Pt(g.Cols()/2, g.Rows()/2), 0, 0, gocv.InterpolationArea)
			g.Close()
			g = small
		}
		g.Close()
	}
	rng := rand.New(rand.NewPCG(4, 2))
	for i := range 20 {
		t.Run(fmt.Sprintf("random%d", i), func(t *testing.T) {
			w, h := 13+rng.IntN(60), 13+rng.IntN(60)
			pix := make([]byte, w*h)
			// strokes of every length, many of them through the border
			for range 40 {
				x, y, l := rng.IntN(w), rng.IntN(h), 1+rng.IntN(2*lineLen)
				for j := 0; j < l; j++ {
					if rng.IntN(2) == 0 && x+j < w {
						pix[y*w+x+j] = 255
					} else if y+j < h {
						pix[(y+j)*w+x] = 255
					}
				}
			}
			bw, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8U, pix)
			if err != nil {
				t.Fatal(err)
			}
			defer bw.Close()
			check(t, bw)
		})
	}
}

// BenchmarkDropLongRuns times the long-run pass on the full-size edge maps
// of the four testdata photos at 1000 px (ms a map).
func BenchmarkDropLongRuns(b *testing.B) {
	var maps [][]byte
	var w, h []int
	for _, name := range []string{"fruits.jpg", "building.jpg", "home.jpg", "messi5.jpg"} {
		g, err := grayMat(scaleMax(loadImage(b, "testdata/"+name), 1000))
		if err != nil {
			b.Fatal(err)
		}
		grad, bw := gocv.NewMat(), gocv.NewMat()
		k3 := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(3, 3))
		gocv.MorphologyEx(g, &grad, gocv.MorphGradient, k3)
		gocv.Threshold(grad, &bw, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu)
		maps, w, h = append(maps, bw.ToBytes()), append(w, bw.Cols()), append(h, bw.Rows())
		for _, m := range []gocv.Mat{g, grad, bw, k3} {
			m.Close()
		}
	}
	pix := make([][]byte, len(maps))
	for b.Loop() {
		for i, m := range maps {
			pix[i] = append(pix[i][:0], m...)
			dropLongRuns(pix[i], w[i], h[i], lineLen)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*len(maps)), "ms/map")
}
