package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg" // decode opencv-doc photos
	_ "image/png"
	"math"
	"os"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"counterlens/internal/synth"
)

const (
	referenceSize  = 400  // long side of a reference logo, px
	markRasterSize = 1200 // raster of the mark before it is warped into a photo
	longSide       = 1000 // long side of a listing photo, px
	jpegQuality    = 85
)

// rasterMark renders an SVG mark into an alpha mask whose long side is size
// pixels, cropped to the drawn pixels.
func rasterMark(path string, size int) (*image.Alpha, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	raw, err = normalizeSVG(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	icon, err := oksvg.ReadIconStream(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	vw, vh := icon.ViewBox.W, icon.ViewBox.H
	if vw <= 0 || vh <= 0 {
		return nil, errors.New("svg without a viewBox")
	}
	// Render large, crop to the ink, then scale the ink's long side to size.
	const canvas = 2400
	w, h := canvas, int(math.Round(canvas*vh/vw))
	icon.SetTarget(0, 0, float64(w), float64(h))
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	scanner := rasterx.NewScannerGV(w, h, rgba, rgba.Bounds())
	icon.Draw(rasterx.NewDasher(w, h, scanner), 1)

	ink := image.Rectangle{}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if rgba.Pix[rgba.PixOffset(x, y)+3] > 8 {
				ink = ink.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if ink.Empty() {
		return nil, errors.New("svg draws nothing")
	}
	scale := float64(size) / float64(max(ink.Dx(), ink.Dy()))
	dw, dh := max(1, int(math.Round(float64(ink.Dx())*scale))), max(1, int(math.Round(float64(ink.Dy())*scale)))
	out := image.NewAlpha(image.Rect(0, 0, dw, dh))
	xdraw.CatmullRom.Scale(out, out.Bounds(), rgba, ink, draw.Src, nil)
	return out, nil
}

// colorize paints mask in c on a transparent canvas with pad pixels around.
func colorize(mask *image.Alpha, c color.RGBA, pad int) *image.NRGBA {
	b := mask.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx()+2*pad, b.Dy()+2*pad))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			a := mask.AlphaAt(b.Min.X+x, b.Min.Y+y).A
			if a == 0 {
				continue
			}
			out.SetNRGBA(x+pad, y+pad, color.NRGBA{R: c.R, G: c.G, B: c.B, A: a})
		}
	}
	return out
}

// loadPhoto decodes a photo and scales it so that its long side is longSide.
func loadPhoto(path string) (*image.RGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	b := src.Bounds()
	scale := float64(longSide) / float64(max(b.Dx(), b.Dy()))
	w, h := int(math.Round(float64(b.Dx())*scale)), int(math.Round(float64(b.Dy())*scale))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst, nil
}

// warpMark paints mask, projected onto q, into dst in colour c.
func warpMark(dst *image.RGBA, mask *image.Alpha, q synth.Quad, c color.RGBA, opacity float64) error {
	mb := mask.Bounds()
	h, err := synth.Homography(q, synth.Rect(float64(mb.Dx()), float64(mb.Dy()))) // photo pixel -> mask pixel
	if err != nil {
		return err
	}
	// Supersample 2x2 per photo pixel: the mark is much larger than its
	// footprint, so this is the antialiasing.
	offs := [4]float64{0.25, 0.75}
	r := q.Bounds(dst.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			var cov float64
			for _, oy := range offs[:2] {
				for _, ox := range offs[:2] {
					u, v := synth.Apply(h, float64(x)+ox, float64(y)+oy)
					cov += sampleAlpha(mask, u, v)
				}
			}
			a := cov / 4 * opacity
			if a <= 0 {
				continue
			}
			blend(dst, x, y, c, a)
		}
	}
	return nil
}

// sampleAlpha samples mask bilinearly at (u, v), 0 outside.
func sampleAlpha(m *image.Alpha, u, v float64) float64 {
	b := m.Bounds()
	u, v = u-0.5, v-0.5
	x0, y0 := int(math.Floor(u)), int(math.Floor(v))
	fx, fy := u-float64(x0), v-float64(y0)
	get := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= b.Dx() || y >= b.Dy() {
			return 0
		}
		return float64(m.Pix[y*m.Stride+x]) / 255
	}
	return (get(x0, y0)*(1-fx)+get(x0+1, y0)*fx)*(1-fy) + (get(x0, y0+1)*(1-fx)+get(x0+1, y0+1)*fx)*fy
}

func blend(dst *image.RGBA, x, y int, c color.RGBA, a float64) {
	i := dst.PixOffset(x, y)
	p := dst.Pix[i : i+3 : i+3]
	p[0] = uint8(float64(p[0])*(1-a) + float64(c.R)*a + 0.5)
	p[1] = uint8(float64(p[1])*(1-a) + float64(c.G)*a + 0.5)
	p[2] = uint8(float64(p[2])*(1-a) + float64(c.B)*a + 0.5)
}

// pt is the point (x, y).
func pt(x, y float64) synth.Pt { return synth.Pt{X: x, Y: y} }

// shape is a closed outline in the unit square of a patch's face.
type shape [][]synth.Pt

// fillMask rasterises the outlines of s, mapped through q, into an alpha
// mask the size of r.
func fillMask(r image.Rectangle, q synth.Quad, s shape) *image.Alpha {
	z := vector.NewRasterizer(r.Dx(), r.Dy())
	for _, poly := range s {
		for i, p := range poly {
			m := q.At(p.X, p.Y)
			if i == 0 {
				z.MoveTo(float32(m.X), float32(m.Y))
			} else {
				z.LineTo(float32(m.X), float32(m.Y))
			}
		}
		z.ClosePath()
	}
	out := image.NewAlpha(r)
	z.Draw(out, r, image.Opaque, image.Point{})
	return out
}

// paintMask paints c through mask with a brightness ramp along the quad
// (shade 0 = flat), like light falling on a surface.
func paintMask(dst *image.RGBA, mask *image.Alpha, c color.RGBA, q synth.Quad, shade float64) {
	h, err := synth.Homography(q, synth.Rect(1, 1))
	if err != nil {
		return
	}
	b := mask.Bounds().Intersect(dst.Bounds())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			a := float64(mask.Pix[mask.PixOffset(x, y)]) / 255
			if a == 0 {
				continue
			}
			u, v := synth.Apply(h, float64(x)+0.5, float64(y)+0.5)
			k := 1 + shade*(0.5-0.5*u-0.5*v)
			blend(dst, x, y, color.RGBA{R: clamp8(float64(c.R) * k), G: clamp8(float64(c.G) * k), B: clamp8(float64(c.B) * k)}, a)
		}
	}
}

func clamp8(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

// shadow darkens dst under a blurred, offset copy of mask.
func shadow(dst *image.RGBA, mask *image.Alpha, dx, dy, radius int, strength float64) {
	b := mask.Bounds()
	moved := image.NewAlpha(b)
	draw.Draw(moved, b.Add(image.Pt(dx, dy)).Intersect(b), mask, b.Min, draw.Src)
	blurred := boxBlur(boxBlur(moved, radius), radius)
	r := b.Intersect(dst.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a := float64(blurred.Pix[blurred.PixOffset(x, y)]) / 255 * strength
			if a > 0 {
				blend(dst, x, y, color.RGBA{}, a)
			}
		}
	}
}

// boxBlur blurs an alpha mask horizontally then vertically.
func boxBlur(m *image.Alpha, r int) *image.Alpha {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	tmp := make([]float64, w*h)
	for y := range h {
		for x := range w {
			var s float64
			for k := -r; k <= r; k++ {
				xx := min(max(x+k, 0), w-1)
				s += float64(m.Pix[y*m.Stride+xx])
			}
			tmp[y*w+x] = s / float64(2*r+1)
		}
	}
	out := image.NewAlpha(b)
	for y := range h {
		for x := range w {
			var s float64
			for k := -r; k <= r; k++ {
				yy := min(max(y+k, 0), h-1)
				s += tmp[yy*w+x]
			}
			out.Pix[y*out.Stride+x] = uint8(s/float64(2*r+1) + 0.5)
		}
	}
	return out
}

// roundRect is a rounded rectangle outline in the unit square.
func roundRect(x0, y0, x1, y1, rx, ry float64) []synth.Pt {
	var out []synth.Pt
	corner := func(cx, cy, start float64) {
		for i := 0; i <= 8; i++ {
			t := start + float64(i)/8*math.Pi/2
			out = append(out, pt(cx+rx*math.Cos(t), cy+ry*math.Sin(t)))
		}
	}
	corner(x1-rx, y0+ry, -math.Pi/2)
	corner(x1-rx, y1-ry, 0)
	corner(x0+rx, y1-ry, math.Pi/2)
	corner(x0+rx, y0+ry, math.Pi)
	return out
}

// arcBand is a half ring (a bag handle) centred on (cx, cy) above it.
func arcBand(cx, cy, rOut, rIn, aspect float64) []synth.Pt {
	var out []synth.Pt
	const n = 24
	for i := 0; i <= n; i++ {
		t := math.Pi + float64(i)/n*math.Pi
		out = append(out, pt(cx+rOut*math.Cos(t), cy+rOut*aspect*math.Sin(t)))
	}
	for i := n; i >= 0; i-- {
		t := math.Pi + float64(i)/n*math.Pi
		out = append(out, pt(cx+rIn*math.Cos(t), cy+rIn*aspect*math.Sin(t)))
	}
	return out
}

// bezier samples a cubic Bézier curve.
func bezier(p0, p1, p2, p3 synth.Pt, n int) []synth.Pt {
	out := make([]synth.Pt, 0, n+1)
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		a, b, c, d := (1-t)*(1-t)*(1-t), 3*(1-t)*(1-t)*t, 3*(1-t)*t*t, t*t*t
		out = append(out, pt(a*p0.X+b*p1.X+c*p2.X+d*p3.X, a*p0.Y+b*p1.Y+c*p2.Y+d*p3.Y))
	}
	return out
}

// shoeUpper is the side view of a low sneaker's upper, toe to the right.
func shoeUpper() []synth.Pt {
	var out []synth.Pt
	out = append(out, bezier(pt(0.02, 0.88), pt(0.0, 0.5), pt(0.02, 0.2), pt(0.08, 0.12), 10)...)  // heel
	out = append(out, bezier(pt(0.08, 0.12), pt(0.2, 0.02), pt(0.3, 0.3), pt(0.42, 0.3), 12)...)   // collar
	out = append(out, bezier(pt(0.42, 0.3), pt(0.6, 0.32), pt(0.75, 0.42), pt(0.88, 0.52), 12)...) // laces
	out = append(out, bezier(pt(0.88, 0.52), pt(1.0, 0.6), pt(1.02, 0.8), pt(0.98, 0.88), 10)...)  // toe
	return out
}

// shoeSole is the sole under [shoeUpper].
func shoeSole() []synth.Pt {
	return roundRect(0.0, 0.84, 1.0, 1.0, 0.06, 0.07)
}

// textFace returns a face of the named font at px pixels.
func (g *generator) textFace(name string, px float64) (font.Face, error) {
	f, ok := g.faces[name]
	if !ok {
		return nil, fmt.Errorf("no font %s", name)
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
}

// drawBanner writes text on a band across dst, centred at y (fraction of
// the height).
func (g *generator) drawBanner(dst *image.RGBA, b banner) error {
	face, err := g.textFace(b.Font, b.Size)
	if err != nil {
		return err
	}
	defer face.Close()
	fg, bg := color.RGBA{255, 255, 255, 255}, color.RGBA{12, 12, 14, 255}
	if b.Light {
		fg, bg = color.RGBA{20, 20, 24, 255}, color.RGBA{248, 246, 240, 255}
	}
	if b.Color != "" {
		fg = hexColor(b.Color)
	}
	m := face.Metrics()
	asc, desc := m.Ascent.Ceil(), m.Descent.Ceil()
	textW := font.MeasureString(face, b.Text).Ceil()
	W, H := dst.Bounds().Dx(), dst.Bounds().Dy()
	padX, padY := int(b.Size*0.6), int(b.Size*0.3)
	boxW, boxH := textW+2*padX, asc+desc+2*padY
	cx := int(b.X * float64(W))
	if b.X == 0 {
		cx = W / 2
	}
	x0, y0 := cx-boxW/2, int(b.Y*float64(H))-boxH/2
	x0 = min(max(x0, 0), W-boxW)
	y0 = min(max(y0, 0), H-boxH)
	box := image.Rect(x0, y0, x0+boxW, y0+boxH).Intersect(dst.Bounds())
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			blend(dst, x, y, bg, b.opacity())
		}
	}
	d := font.Drawer{Dst: dst, Src: image.NewUniform(fg), Face: face,
		Dot: fixed.P(x0+padX, y0+padY+asc)}
	d.DrawString(b.Text)
	return nil
}

func (b banner) opacity() float64 {
	if b.Opacity > 0 {
		return b.Opacity
	}
	return 0.88
}
