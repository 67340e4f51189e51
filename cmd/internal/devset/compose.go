package devset

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The picture code below is copied from the generators of the logo and OCR
// benchmarks (vision/logo/synth_test.go, vision/logo/bench_test.go,
// vision/ocr/bench_test.go, scripts/gendemo/compose.go), which live in
// _test files or a main package and so cannot be imported.

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

// composite draws mark into dst and returns its box (pixels covered at
// least half).
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

// bannerBox measures a line of text at size px on a band, padded.
func bannerBox(f *opentype.Font, text string, size float64) (image.Point, error) {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return image.Point{}, err
	}
	defer face.Close()
	m := face.Metrics()
	w := font.MeasureString(face, text).Ceil()
	return image.Pt(w+int(size), (m.Ascent+m.Descent).Ceil()+int(size*0.6)), nil
}

// drawBanner writes text on a filled band (dark text on a light band, or
// light on dark) with its top-left corner at at.
func drawBanner(dst *image.RGBA, f *opentype.Font, text string, size float64, at image.Point, dark bool) error {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return err
	}
	defer face.Close()
	m := face.Metrics()
	w := font.MeasureString(face, text).Ceil()
	padX, padY := int(size*0.5), int(size*0.3)
	box := image.Rect(at.X, at.Y, at.X+w+2*padX, at.Y+(m.Ascent+m.Descent).Ceil()+2*padY)
	fg, bg := color.RGBA{20, 20, 24, 255}, color.RGBA{245, 240, 225, 255}
	if dark {
		fg, bg = color.RGBA{250, 250, 250, 255}, color.RGBA{150, 20, 30, 255}
	}
	draw.Draw(dst, box.Intersect(dst.Bounds()), image.NewUniform(bg), image.Point{}, draw.Src)
	d := font.Drawer{Dst: dst, Src: image.NewUniform(fg), Face: face,
		Dot: fixed.P(at.X+padX, at.Y+padY+m.Ascent.Ceil())}
	d.DrawString(text)
	return nil
}

// blur softens img by scaling it down by a third and back up.
func blur(img *image.RGBA) *image.RGBA {
	bd := img.Bounds()
	small := image.NewRGBA(image.Rect(0, 0, bd.Dx()*2/3, bd.Dy()*2/3))
	xdraw.BiLinear.Scale(small, small.Bounds(), img, bd, xdraw.Src, nil)
	out := image.NewRGBA(bd)
	xdraw.BiLinear.Scale(out, bd, small, small.Bounds(), xdraw.Src, nil)
	return out
}

func encodeJPEG(img image.Image, q int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sceneCrop draws a random crop of bg, scaled to w×h.
func sceneCrop(bg image.Image, w, h int, rng *rand.Rand) *image.RGBA {
	bb := bg.Bounds()
	cw := int(float64(bb.Dx()) * (0.6 + 0.4*rng.Float64()))
	ch := min(bb.Dy(), int(float64(cw)*float64(h)/float64(w)))
	cw = int(float64(ch) * float64(w) / float64(h))
	x0 := bb.Min.X + rng.IntN(max(1, bb.Dx()-cw+1))
	y0 := bb.Min.Y + rng.IntN(max(1, bb.Dy()-ch+1))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), bg, image.Rect(x0, y0, x0+cw, y0+ch), xdraw.Src, nil)
	return dst
}
