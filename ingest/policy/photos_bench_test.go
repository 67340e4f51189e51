package policy

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"counterlens/vision/decode"
	"counterlens/vision/phash"
)

// variant re-encodes or resizes a picture the way a seller's copy of an
// official photo typically is.
type variant struct {
	name  string
	scale float64 // 1 keeps the size
	q     int     // JPEG quality; 0 keeps PNG
}

var variants = []variant{
	{"jpeg q90", 1, 90}, {"jpeg q60", 1, 60}, {"jpeg q30", 1, 30},
	{"half size png", 0.5, 0}, {"quarter size png", 0.25, 0},
	{"0.7x jpeg q70", 0.7, 70}, {"1.5x jpeg q80", 1.5, 80}, {"0.3x jpeg q40", 0.3, 40},
}

func makeVariant(t testing.TB, img image.Image, v variant) image.Image {
	t.Helper()
	b := img.Bounds()
	out := img
	if v.scale != 1 {
		w, h := max(1, int(float64(b.Dx())*v.scale)), max(1, int(float64(b.Dy())*v.scale))
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
		out = dst
	}
	if v.q == 0 {
		return out
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: v.q}); err != nil {
		t.Fatal(err)
	}
	dec, _, err := decode.Image(buf.Bytes(), decode.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	return dec
}

func hashOf(t testing.TB, img image.Image) uint64 {
	t.Helper()
	h, err := phash.Hash(img)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func loadPhotos(t testing.TB, dir string) map[string]image.Image {
	t.Helper()
	out := map[string]image.Image{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if ext != ".jpg" && ext != ".png" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := decode.Image(data, decode.DefaultLimits())
		if err != nil || img.Bounds().Dx() < 64 || img.Bounds().Dy() < 64 {
			continue // not a photo (icons, masks, digit sheets are tiny or odd)
		}
		out[e.Name()] = img
	}
	return out
}

// BenchmarkPhotoReuseDistance measures the pHash distance between each real
// photo of .bench/opencv-data and its re-encoded and resized copies, and
// between distinct photos, and prints how [PhotoDistance] separates them.
func BenchmarkPhotoReuseDistance(b *testing.B) {
	photos := loadPhotos(b, filepath.Join("..", "..", ".bench", "opencv-data"))
	if len(photos) < 20 {
		b.Skip(".bench/opencv-data is missing: run scripts/bench-data.sh")
	}
	names := make([]string, 0, len(photos))
	for n := range photos {
		names = append(names, n)
	}
	slices.Sort(names)
	hashes := map[string]uint64{}
	var same []int
	worstSame := map[string]int{}
	var missed []string
	for _, n := range names {
		hashes[n] = hashOf(b, photos[n])
		for _, v := range variants {
			d := phash.Distance(hashes[n], hashOf(b, makeVariant(b, photos[n], v)))
			same = append(same, d)
			worstSame[v.name] = max(worstSame[v.name], d)
			if d > PhotoDistance {
				missed = append(missed, fmt.Sprintf("%s(%s)=%d", n, v.name, d))
			}
		}
	}
	var diff []int
	var close []string
	for i, a := range names {
		for _, c := range names[i+1:] {
			d := phash.Distance(hashes[a], hashes[c])
			diff = append(diff, d)
			if d <= PhotoDistance+4 {
				close = append(close, fmt.Sprintf("%s~%s=%d", a, c, d))
			}
		}
	}
	slices.Sort(same)
	slices.Sort(diff)
	under := func(ds []int, t int) int {
		n, _ := slices.BinarySearch(ds, t+1)
		return n
	}
	b.Logf("%d photos, %d copies, %d distinct pairs", len(names), len(same), len(diff))
	b.Logf("copies: median %d, p99 %d, max %d; worst by variant %v", same[len(same)/2], same[len(same)*99/100], same[len(same)-1], worstSame)
	b.Logf("distinct pairs: min %d, p1 %d, median %d", diff[0], diff[len(diff)/100], diff[len(diff)/2])
	for t := 4; t <= 16; t += 2 {
		b.Logf("threshold %2d: copies found %5.1f%%, distinct pairs taken for copies %d", t, 100*float64(under(same, t))/float64(len(same)), under(diff, t))
	}
	b.Logf("distinct pairs within %d: %v", PhotoDistance+4, close)
	b.Logf("copies beyond %d: %v", PhotoDistance, missed)
	b.ReportMetric(float64(same[len(same)-1]), "max_copy_dist")
	b.ReportMetric(float64(diff[0]), "min_distinct_dist")
	b.ReportMetric(float64(under(diff, PhotoDistance)), "false_matches")
	for b.Loop() {
		PhotoMatch(nil, "", phash.Hex(hashes[names[0]]))
	}
}
