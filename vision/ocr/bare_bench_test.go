//go:build cgo

package ocr

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"counterlens/internal/cpuclock"
)

// BenchmarkBare times photos without text, scaled to 1000 px: the region
// search alone and the whole of Recognize (which runs tesseract only on
// what the search lets through). It reads the opencv-doc photos from
// COUNTERLENS_BENCH_DATA when set, else the four in testdata/. Run it with
// -cpu 1; on a shared machine, count instructions under
// valgrind --tool=callgrind instead of trusting the clock, or read
// recognize's cpu_ms/photo (the process's own CPU time, getrusage).
// The photos with print of their own (printedPhotos) are left out unless
// named: COUNTERLENS_BENCH_PHOTOS ("board.jpg,fruits.jpg") keeps only the
// named photos, to see what one of them costs.
func BenchmarkBare(b *testing.B) {
	var photos []image.Image
	var only []string
	if v := os.Getenv("COUNTERLENS_BENCH_PHOTOS"); v != "" {
		only = strings.Split(v, ",")
	}
	if dir := os.Getenv("COUNTERLENS_BENCH_DATA"); dir != "" {
		for _, name := range benchPhotos {
			if only == nil && slices.Contains(printedPhotos, name) || only != nil && !slices.Contains(only, name) {
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, "opencv-data", name)); err == nil {
				photos = append(photos, scaleMax(loadImage(b, filepath.Join(dir, "opencv-data", name)), 1000))
			}
		}
	} else {
		for _, name := range []string{"fruits.jpg", "building.jpg", "home.jpg", "messi5.jpg"} {
			photos = append(photos, scaleMax(loadImage(b, filepath.Join("testdata", name)), 1000))
		}
	}
	p := newTestPool(b, 1)
	b.Run("search", func(b *testing.B) {
		for b.Loop() {
			for _, ph := range photos {
				g, err := grayMat(ph)
				if err != nil {
					b.Fatal(err)
				}
				findLines(g, p.cfg.MinTextHeight, p.cfg.MaxRegions)
				g.Close()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*len(photos)), "ms/photo")
	})
	b.Run("recognize", func(b *testing.B) { benchRecognize(b, p, photos) })
	// Listing photos come as JPEG, which decodes to image.YCbCr: Recognize
	// takes its luma plane as it is, where the RGBA photos above pay a grey
	// conversion. Each photo is encoded once at quality 90 and decoded as
	// the engine decodes an upload, outside the timing.
	jpegs := make([]image.Image, len(photos))
	for i, ph := range photos {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, ph, &jpeg.Options{Quality: 90}); err != nil {
			b.Fatal(err)
		}
		im, err := jpeg.Decode(&buf)
		if err != nil {
			b.Fatal(err)
		}
		jpegs[i] = im
	}
	b.Run("recognize-jpeg", func(b *testing.B) { benchRecognize(b, p, jpegs) })
}

// benchRecognize runs Recognize over photos and reports wall and process
// CPU milliseconds and words a photo. With COUNTERLENS_BENCH_LOCK=1 the
// benchmark holds its OS thread and also reports that thread's CPU time
// (thread_cpu_ms/photo): the rest of the process's CPU time is then work
// on other threads (OpenCV's workers, Go's collector and sysmon).
func benchRecognize(b *testing.B, p *Pool, photos []image.Image) {
	locked := os.Getenv("COUNTERLENS_BENCH_LOCK") == "1"
	if locked {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	words := 0
	cpu0, thread0 := cpuclock.Used(), cpuclock.Thread()
	for b.Loop() {
		for _, ph := range photos {
			ws, err := p.Recognize(context.Background(), ph)
			if err != nil {
				b.Fatal(err)
			}
			words += len(ws)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*len(photos)), "ms/photo")
	b.ReportMetric(float64((cpuclock.Used()-cpu0).Microseconds())/1000/float64(b.N*len(photos)), "cpu_ms/photo")
	if locked {
		b.ReportMetric(float64((cpuclock.Thread()-thread0).Microseconds())/1000/float64(b.N*len(photos)), "thread_cpu_ms/photo")
	}
	b.ReportMetric(float64(words)/float64(b.N*len(photos)), "words/photo")
}
