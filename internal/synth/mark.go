package synth

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// MarkAlpha returns the coverage of a mark (its alpha, or its darkness when
// the image is opaque), trimmed to the pixels it covers more than half.
func MarkAlpha(img image.Image) *image.Alpha {
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

// Placement says how [Composite] puts a mark into a scene.
type Placement struct {
	Long   float64 // long side of the mark in scene pixels (before rotation)
	Angle  float64 // degrees
	Persp  float64 // corner jitter as a fraction of the long side
	CX, CY float64 // centre in scene pixels
	FG     color.RGBA
	Patch  *color.RGBA // uniform product-like patch under the mark, or nil
}

// Composite draws mark into dst as p says, the corners jittered by rng,
// and returns its box (the pixels covered at least half; empty when none
// is).
func Composite(dst *image.RGBA, mark *image.Alpha, p Placement, rng *rand.Rand) image.Rectangle {
	mb := mark.Bounds()
	mw, mh := float64(mb.Dx()), float64(mb.Dy())
	s := p.Long / math.Max(mw, mh)
	a := p.Angle * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	src := Rect(mw, mh)
	var quad Quad
	for i, c := range src {
		dx, dy := (c.X-mw/2)*s, (c.Y-mh/2)*s
		jx := (rng.Float64()*2 - 1) * p.Persp * p.Long
		jy := (rng.Float64()*2 - 1) * p.Persp * p.Long
		quad[i] = Pt{p.CX + cos*dx - sin*dy + jx, p.CY + sin*dx + cos*dy + jy}
	}
	inv, err := Homography(quad, src)
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, q := range quad {
		x0, y0, x1, y1 = math.Min(x0, q.X), math.Min(y0, q.Y), math.Max(x1, q.X), math.Max(y1, q.Y)
	}
	area := image.Rect(int(x0)-1, int(y0)-1, int(x1)+2, int(y1)+2).Intersect(dst.Bounds())
	if p.Patch != nil {
		drawPatch(dst, image.Rect(int(x0-0.25*p.Long), int(y0-0.25*p.Long), int(x1+0.25*p.Long), int(y1+0.25*p.Long)), *p.Patch)
	}
	if err != nil {
		return image.Rectangle{} // squashed flat: nothing to draw
	}
	gx0, gy0, gx1, gy1 := math.MaxInt, math.MaxInt, -1, -1
	for y := area.Min.Y; y < area.Max.Y; y++ {
		for x := area.Min.X; x < area.Max.X; x++ {
			cov := 0.0
			for _, o := range [4][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				u, v := Apply(inv, float64(x)+o[0], float64(y)+o[1])
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
			dst.SetRGBA(x, y, color.RGBA{mix(p.FG.R, o.R), mix(p.FG.G, o.G), mix(p.FG.B, o.B), 255})
		}
	}
	if gx1 < 0 {
		return image.Rectangle{}
	}
	return image.Rect(gx0, gy0, gx1+1, gy1+1)
}

// drawPatch paints a rounded product-like panel of colour c over r with a
// soft vertical gradient.
func drawPatch(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	pr := r.Intersect(dst.Bounds())
	rad := 0.2 * math.Min(float64(pr.Dx()), float64(pr.Dy()))
	for y := pr.Min.Y; y < pr.Max.Y; y++ {
		for x := pr.Min.X; x < pr.Max.X; x++ {
			ex := math.Max(0, math.Max(float64(pr.Min.X)+rad-float64(x), float64(x)-(float64(pr.Max.X)-rad)))
			ey := math.Max(0, math.Max(float64(pr.Min.Y)+rad-float64(y), float64(y)-(float64(pr.Max.Y)-rad)))
			if ex*ex+ey*ey > rad*rad {
				continue
			}
			sh := 0.85 + 0.15*float64(y-pr.Min.Y)/float64(max(1, pr.Dy()))
			dst.SetRGBA(x, y, color.RGBA{uint8(float64(c.R) * sh), uint8(float64(c.G) * sh), uint8(float64(c.B) * sh), 255})
		}
	}
}
