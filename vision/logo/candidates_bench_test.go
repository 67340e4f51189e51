package logo

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"testing"

	"gocv.io/x/gocv"

	"counterlens/internal/cpuclock"
)

// photos1000 returns the test scenes scaled to 1000 px on the longer side,
// the size of the benchmark's photos.
func photos1000(tb testing.TB) []image.Image {
	tb.Helper()
	var out []image.Image
	for _, img := range loadDir(tb, "testdata/scenes") {
		src, err := gocv.ImageToMatRGBA(img)
		if err != nil {
			tb.Fatal(err)
		}
		b := img.Bounds()
		w, h := 1000, 1000*b.Dy()/b.Dx()
		if b.Dy() > b.Dx() {
			w, h = 1000*b.Dx()/b.Dy(), 1000
		}
		dst := gocv.NewMat()
		gocv.Resize(src, &dst, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
		ph, err := dst.ToImage()
		src.Close()
		dst.Close()
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, ph)
	}
	return out
}

// BenchmarkCandidates measures candidate-region generation (grey ladder,
// colour zones and, unless chroma=off, the a*/b* ladder) on the nine test
// scenes at 1000 px; it prints the process's CPU time and the regions a
// photo.
func BenchmarkCandidates(b *testing.B) {
	photos := photos1000(b)
	for _, chroma := range []int{0, DefaultConfig().ChromaStep} {
		name := "chroma=off"
		if chroma > 0 {
			name = "chroma=on"
		}
		b.Run(name, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.ChromaStep = chroma
			b.ReportAllocs()
			regions := 0
			cpu0 := cpuclock.Used()
			for b.Loop() {
				regions = 0
				for _, ph := range photos {
					g, scale := toGray(ph, cfg.MaxSide, false)
					cs, _, err := photoCandidates(context.Background(), ph, g, scale, cfg)
					if err != nil {
						b.Fatal(err)
					}
					regions += len(cs)
				}
			}
			// CPU time (getrusage) rather than wall time: the machine is shared.
			b.ReportMetric(float64((cpuclock.Used()-cpu0).Milliseconds())/float64(b.N*len(photos)), "cpu_ms/photo")
			b.ReportMetric(float64(regions)/float64(len(photos)), "regions/photo")
		})
	}
}

// BenchmarkColourRaster measures toRGB's box filter of the test scenes
// re-encoded as 1000 px JPEGs (YCbCr, as the benchmark's photos decode)
// down to the colour raster's side.
func BenchmarkColourRaster(b *testing.B) {
	var photos []image.Image
	for _, ph := range photos1000(b) {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, ph, &jpeg.Options{Quality: 90}); err != nil {
			b.Fatal(err)
		}
		img, err := jpeg.Decode(&buf)
		if err != nil {
			b.Fatal(err)
		}
		photos = append(photos, img)
	}
	side := DefaultConfig().ColourSide
	b.ReportAllocs()
	for b.Loop() {
		for _, ph := range photos {
			toRGB(ph, side)
		}
	}
}
