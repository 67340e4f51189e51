package logo

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	_ "image/png"
)

// This file composites real marks into real photos the way counterfeit
// listings show them: on a product-like patch, recoloured, rotated, tilted,
// blurred and JPEG-compressed. Tests and the benchmark share it.

func loadImage(tb testing.TB, path string) image.Image {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return img
}

// iconsDir is the real simple-icons folder, which scripts/test.sh points
// GENDEMO_ICONS at; a test that reads it skips where it is not set.
func iconsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GENDEMO_ICONS")
	if dir == "" {
		t.Skip("GENDEMO_ICONS is not set: scripts/test.sh points it at the simple-icons set")
	}
	return dir
}

func loadDir(tb testing.TB, dir string) map[string]image.Image {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no fixtures in %s: %v", dir, err)
	}
	out := make(map[string]image.Image, len(names))
	for _, n := range names {
		base := filepath.Base(n)
		out[base[:len(base)-len(filepath.Ext(base))]] = loadImage(tb, n)
	}
	return out
}

// toRGBA copies img into a fresh RGBA at the given size.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	return dst
}

// degrade blurs (box radius 0 or 1), adds Gaussian noise and JPEG-compresses.
func degrade(tb testing.TB, img *image.RGBA, blur int, noise float64, quality int, rng *rand.Rand) image.Image {
	tb.Helper()
	if blur > 0 {
		src := toRGBA(img)
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				var s [3]int
				n := 0
				for dy := -blur; dy <= blur; dy++ {
					for dx := -blur; dx <= blur; dx++ {
						if (image.Point{x + dx, y + dy}).In(b) {
							c := src.RGBAAt(x+dx, y+dy)
							s[0] += int(c.R)
							s[1] += int(c.G)
							s[2] += int(c.B)
							n++
						}
					}
				}
				img.SetRGBA(x, y, color.RGBA{uint8(s[0] / n), uint8(s[1] / n), uint8(s[2] / n), 255})
			}
		}
	}
	if noise > 0 {
		for i := 0; i < len(img.Pix); i += 4 {
			for c := range 3 {
				v := float64(img.Pix[i+c]) + rng.NormFloat64()*noise
				img.Pix[i+c] = uint8(math.Max(0, math.Min(255, v)))
			}
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		tb.Fatal(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func boxIoU(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	ia := float64(in.Dx() * in.Dy())
	if ia == 0 {
		return 0
	}
	return ia / float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()-int(ia))
}

// refsFrom turns named images into references whose brand is their name.
func refsFrom(imgs map[string]image.Image) []Reference {
	var refs []Reference
	for name, img := range imgs {
		refs = append(refs, Reference{LogoID: name, BrandID: name, Image: img})
	}
	return refs
}
