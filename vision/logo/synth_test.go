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

// markAlpha returns the coverage of a mark (alpha, or darkness when the image
// is opaque), trimmed to its bounding box.
func markAlpha(img image.Image) *image.Alpha {
	b := img.Bounds()
	a := image.NewAlpha(image.Rect(0, 0, b.Dx(), b.Dy()))
	opaque := true
	for y := b.Min.Y; y < b.Max.Y && opaque; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, al := img.At(x, y).RGBA(); al != 0xffff {
				opaque = false
				break
			}
		}
	}
	x0, y0, x1, y1 := b.Dx(), b.Dy(), -1, -1
	for y := range b.Dy() {
		for x := range b.Dx() {
			r, g, bl, al := img.At(x+b.Min.X, y+b.Min.Y).RGBA()
			v := uint8(al >> 8)
			if opaque {
				v = 255 - uint8(((299*r+587*g+114*bl)/1000)>>8)
			}
			a.Pix[y*a.Stride+x] = v
			if v > 127 {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		return a
	}
	return a.SubImage(image.Rect(x0, y0, x1+1, y1+1)).(*image.Alpha)
}

// placement says how to put a mark into a scene.
type placement struct {
	long   float64 // long side of the mark in scene pixels (before rotation)
	angle  float64 // degrees
	persp  float64 // corner jitter as a fraction of the long side
	cx, cy float64
	fg     color.RGBA
	patch  *color.RGBA // uniform product-like patch under the mark, or nil
}

// homography solves for H with H·src[i] ~ dst[i].
func homography(src, dst [4][2]float64) [9]float64 {
	var a [8][9]float64
	for i := range 4 {
		x, y, u, v := src[i][0], src[i][1], dst[i][0], dst[i][1]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for c := range 8 {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := range 8 {
			if r != c && a[c][c] != 0 {
				f := a[r][c] / a[c][c]
				for k := c; k < 9; k++ {
					a[r][k] -= f * a[c][k]
				}
			}
		}
	}
	var h [9]float64
	for i := range 8 {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h
}

func applyH(h [9]float64, x, y float64) (float64, float64) {
	z := h[6]*x + h[7]*y + h[8]
	return (h[0]*x + h[1]*y + h[2]) / z, (h[3]*x + h[4]*y + h[5]) / z
}

// composite draws mark into dst and returns its ground-truth box (pixels
// covered at least half).
func composite(dst *image.RGBA, mark *image.Alpha, p placement, rng *rand.Rand) image.Rectangle {
	mb := mark.Bounds()
	mw, mh := float64(mb.Dx()), float64(mb.Dy())
	s := p.long / math.Max(mw, mh)
	a := p.angle * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	src := [4][2]float64{{0, 0}, {mw, 0}, {mw, mh}, {0, mh}}
	var quad [4][2]float64
	for i, c := range src {
		dx, dy := (c[0]-mw/2)*s, (c[1]-mh/2)*s
		jx := (rng.Float64()*2 - 1) * p.persp * p.long
		jy := (rng.Float64()*2 - 1) * p.persp * p.long
		quad[i] = [2]float64{p.cx + cos*dx - sin*dy + jx, p.cy + sin*dx + cos*dy + jy}
	}
	inv := homography(quad, src)
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, q := range quad {
		x0, y0, x1, y1 = math.Min(x0, q[0]), math.Min(y0, q[1]), math.Max(x1, q[0]), math.Max(y1, q[1])
	}
	area := image.Rect(int(x0)-1, int(y0)-1, int(x1)+2, int(y1)+2).Intersect(dst.Bounds())
	if p.patch != nil {
		// A rounded product-like panel around the mark with a soft gradient.
		m := 0.25 * p.long
		pr := image.Rect(int(x0-m), int(y0-m), int(x1+m), int(y1+m)).Intersect(dst.Bounds())
		rad := 0.2 * math.Min(float64(pr.Dx()), float64(pr.Dy()))
		for y := pr.Min.Y; y < pr.Max.Y; y++ {
			for x := pr.Min.X; x < pr.Max.X; x++ {
				ex := math.Max(0, math.Max(float64(pr.Min.X)+rad-float64(x), float64(x)-(float64(pr.Max.X)-rad)))
				ey := math.Max(0, math.Max(float64(pr.Min.Y)+rad-float64(y), float64(y)-(float64(pr.Max.Y)-rad)))
				if ex*ex+ey*ey > rad*rad {
					continue
				}
				sh := 0.85 + 0.15*float64(y-pr.Min.Y)/float64(max(1, pr.Dy()))
				dst.SetRGBA(x, y, color.RGBA{uint8(float64(p.patch.R) * sh), uint8(float64(p.patch.G) * sh), uint8(float64(p.patch.B) * sh), 255})
			}
		}
	}
	gx0, gy0, gx1, gy1 := math.MaxInt, math.MaxInt, -1, -1
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			cov := 0.0
			for _, o := range [4][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				u, v := applyH(inv, float64(x)+o[0], float64(y)+o[1])
				iu, iv := int(math.Floor(u)), int(math.Floor(v))
				if iu >= 0 && iv >= 0 && iu < mb.Dx() && iv < mb.Dy() {
					cov += float64(mark.Pix[(iv)*mark.Stride+iu]) / 255
				}
			}
			cov /= 4
			if cov <= 0 {
				continue
			}
			if cov >= 0.5 {
				gx0, gy0, gx1, gy1 = min(gx0, x), min(gy0, y), max(gx1, x), max(gy1, y)
			}
			o := dst.RGBAAt(x, y)
			mix := func(f, b uint8) uint8 { return uint8(cov*float64(f) + (1-cov)*float64(b) + 0.5) }
			dst.SetRGBA(x, y, color.RGBA{mix(p.fg.R, o.R), mix(p.fg.G, o.G), mix(p.fg.B, o.B), 255})
		}
	}
	if gx1 < 0 {
		return image.Rectangle{}
	}
	return image.Rect(gx0, gy0, gx1+1, gy1+1)
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
