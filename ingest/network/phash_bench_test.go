package network

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"counterlens/vision/phash"
)

// BenchmarkPHashDistance measures what [DefaultConfig]'s PHashDistance rests
// on: the Hamming distance between a real photo and its re-uploads
// (re-encoded, resized, border-cropped, brightened), and between different
// real photos, some of the same scene (stereo pairs, consecutive frames). It
// prints, for each distance d, how many re-uploads are within d and how many
// pairs of different photos are. Inputs: the opencv-doc samples in .bench/
// (make bench-data).
func BenchmarkPHashDistance(b *testing.B) {
	dir := filepath.Join(benchData(b), "opencv-data")
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	var imgs []image.Image
	var kept []string
	for _, n := range names {
		if ext := strings.ToLower(filepath.Ext(n)); ext != ".jpg" && ext != ".png" {
			continue
		}
		f, err := os.Open(n)
		if err != nil {
			b.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() < 64 || img.Bounds().Dy() < 64 {
			continue
		}
		imgs = append(imgs, img)
		kept = append(kept, filepath.Base(n))
	}
	if len(imgs) < 10 {
		b.Skipf("too few photos in %s", dir)
	}
	hash := func(img image.Image) uint64 {
		h, err := phash.Hash(img)
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	var same, diff []int
	var close []string
	for b.Loop() {
		close = close[:0]
		same, diff = same[:0], diff[:0]
		hs := make([]uint64, len(imgs))
		for i, img := range imgs {
			hs[i] = hash(img)
			for _, v := range reuploads(b, img) {
				same = append(same, phash.Distance(hs[i], hash(v)))
			}
		}
		for i := range hs {
			for j := i + 1; j < len(hs); j++ {
				d := phash.Distance(hs[i], hs[j])
				diff = append(diff, d)
				if d <= 6 {
					close = append(close, fmt.Sprintf("%s~%s=%d", kept[i], kept[j], d))
				}
			}
		}
	}
	slices.Sort(same)
	slices.Sort(diff)
	b.Logf("%d photos, %d re-uploads (max distance %d, median %d), %d pairs of different photos (min distance %d)",
		len(imgs), len(same), same[len(same)-1], same[len(same)/2], len(diff), diff[0])
	b.Logf("different photos within 6: %v", close)
	for d := 0; d <= 12; d += 2 {
		in := func(xs []int) int {
			n, _ := slices.BinarySearch(xs, d+1)
			return n
		}
		b.Logf("distance <= %2d: re-uploads %5.1f%%  different photos %d", d, 100*float64(in(same))/float64(len(same)), in(diff))
	}
}

// reuploads are what a second seller's copy of a photo looks like.
func reuploads(b *testing.B, img image.Image) []image.Image {
	r := img.Bounds()
	scale := func(f float64) image.Image {
		dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(r.Dx())*f)), max(1, int(float64(r.Dy())*f))))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, r, draw.Src, nil)
		return dst
	}
	crop := func(f float64) image.Image {
		dx, dy := int(float64(r.Dx())*f), int(float64(r.Dy())*f)
		c := image.Rect(r.Min.X+dx, r.Min.Y+dy, r.Max.X-dx, r.Max.Y-dy)
		dst := image.NewRGBA(image.Rect(0, 0, c.Dx(), c.Dy()))
		draw.Draw(dst, dst.Bounds(), img, c.Min, draw.Src)
		return dst
	}
	jpg := func(q int) image.Image {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			b.Fatal(err)
		}
		out, err := jpeg.Decode(&buf)
		if err != nil {
			b.Fatal(err)
		}
		return out
	}
	bright := func() image.Image {
		dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				c, g, bl, _ := img.At(x, y).RGBA()
				i := dst.PixOffset(x-r.Min.X, y-r.Min.Y)
				dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = lift(c), lift(g), lift(bl), 255
			}
		}
		return dst
	}
	return []image.Image{jpg(60), jpg(35), scale(0.5), scale(0.33), crop(0.02), bright()}
}

func lift(v uint32) uint8 { return uint8(min(255, v>>8+20)) }

func benchData(b *testing.B) string {
	if d := os.Getenv("COUNTERLENS_BENCH_DATA"); d != "" {
		return d
	}
	d, err := filepath.Abs("../../.bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(d); err != nil {
		b.Skip(fmt.Sprintf("no benchmark inputs in %s: run make bench-data", d))
	}
	return d
}
