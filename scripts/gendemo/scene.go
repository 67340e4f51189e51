package main

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"path/filepath"

	"counterlens/internal/synth"
)

// layout says where a patch type carries its mark: the mark's box in the
// unit square of the face, and the face's allowed proportions.
type layout struct {
	u0, u1, v0, v1 float64
	minHOverW      float64 // face height at least this times its width
	minWOverH      float64 // face width at least this times its height
}

var layouts = map[string]layout{
	"box":  {0.14, 0.86, 0.22, 0.78, 0.6, 1.1},
	"bag":  {0.18, 0.82, 0.34, 0.8, 0.85, 0.8},
	"shoe": {0.22, 0.62, 0.48, 0.8, 0.42, 2.0},
	"flat": {0, 1, 0, 1, 0, 0},
}

// compose draws one listing photo.
func (g *generator) compose(s imageSpec) (*image.RGBA, error) {
	dst, err := loadPhoto(filepath.Join(g.photos, s.Photo))
	if err != nil {
		return nil, err
	}
	for i, it := range s.Items {
		if err := g.drawItem(dst, it); err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
	}
	for _, b := range s.Banners {
		if err := g.drawBanner(dst, b); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

func (g *generator) drawItem(dst *image.RGBA, it item) error {
	lay, ok := layouts[it.Patch]
	if !ok {
		return fmt.Errorf("unknown patch %q", it.Patch)
	}
	W, H := float64(dst.Bounds().Dx()), float64(dst.Bounds().Dy())
	short := math.Min(W, H)

	// The mark's size in pixels; an unbranded patch is sized as if it
	// carried a wide mark.
	mw, mh := it.Size*short, it.Size*short/2.2
	var mark *image.Alpha
	if it.Mark != "" {
		mark = g.marks[it.Mark]
		if mark == nil {
			return fmt.Errorf("no mark %q", it.Mark)
		}
		b := mark.Bounds()
		k := it.Size * short / float64(max(b.Dx(), b.Dy()))
		mw, mh = float64(b.Dx())*k, float64(b.Dy())*k
	}
	faceW, faceH := mw/(lay.u1-lay.u0), mh/(lay.v1-lay.v0)
	faceW = math.Max(faceW, faceH*lay.minWOverH)
	faceH = math.Max(faceH, faceW*lay.minHOverW)

	face := g.placeFace(pt(it.X*W, it.Y*H), faceW, faceH, it.Rot, it.Tilt)
	body := color.RGBA{}
	if it.Body != "" {
		body = hexColor(it.Body)
	}
	if err := g.drawPatch(dst, it.Patch, face, body, faceW, faceH); err != nil {
		return err
	}
	if mark == nil {
		return nil
	}
	// Centre the mark in the layout's box, keeping its proportions.
	uc, vc := (lay.u0+lay.u1)/2, (lay.v0+lay.v1)/2
	du, dv := mw/faceW/2, mh/faceH/2
	mq := synth.Quad{face.At(uc-du, vc-dv), face.At(uc+du, vc-dv), face.At(uc+du, vc+dv), face.At(uc-du, vc+dv)}
	ink := hexColor(brandHex(it.Mark))
	if it.Ink != "" {
		ink = hexColor(it.Ink)
	}
	return warpMark(dst, mark, mq, ink, 0.96)
}

// placeFace returns a w×h rectangle centred on c, rotated by rot degrees,
// with one side shortened by tilt for perspective and each corner moved a
// little at random.
func (g *generator) placeFace(c synth.Pt, w, h, rot, tilt float64) synth.Quad {
	k := 0.22 * tilt // how much the far side shrinks
	local := synth.Quad{
		pt(-w/2, -h/2*(1-math.Max(0, k))),
		pt(w/2, -h/2*(1-math.Max(0, -k))),
		pt(w/2, h/2*(1-math.Max(0, -k))),
		pt(-w/2, h/2*(1-math.Max(0, k))),
	}
	j := 0.025 * math.Min(w, h)
	sin, cos := math.Sincos(rot * math.Pi / 180)
	var q synth.Quad
	for i, p := range local {
		p.X += (g.rng.Float64()*2 - 1) * j
		p.Y += (g.rng.Float64()*2 - 1) * j
		q[i] = pt(c.X+p.X*cos-p.Y*sin, c.Y+p.X*sin+p.Y*cos)
	}
	return q
}

func (g *generator) drawPatch(dst *image.RGBA, kind string, face synth.Quad, body color.RGBA, w, h float64) error {
	r := dst.Bounds()
	shadowR := max(3, int(math.Min(w, h)/18))
	off := max(2, int(math.Min(w, h)/16))
	switch kind {
	case "flat":
		return nil
	case "box":
		// Lid and side extrude up and to the right of the front face.
		d := pt((face[1].X-face[0].X)*0.16, (face[1].Y-face[0].Y)*0.16)
		up := pt((face[0].X-face[3].X)*0.22, (face[0].Y-face[3].Y)*0.22)
		e := pt(d.X+up.X, d.Y+up.Y)
		add := func(p, v synth.Pt) synth.Pt { return pt(p.X+v.X, p.Y+v.Y) }
		lid := synth.Quad{add(face[0], e), add(face[1], e), face[1], face[0]}
		side := synth.Quad{face[1], add(face[1], e), add(face[2], e), face[2]}
		unit := shape{{pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 1)}}
		all := fillMask(r, synth.Quad{lid[0], lid[1], side[2], face[3]}, unit)
		shadow(dst, all, off, off, shadowR, 0.45)
		paintMask(dst, fillMask(r, face, unit), body, face, 0.25)
		paintMask(dst, fillMask(r, lid, unit), scale(body, 1.18), lid, 0.15)
		paintMask(dst, fillMask(r, side, unit), scale(body, 0.72), side, 0.2)
		// A seam where the lid meets the box.
		seam := synth.Quad{face[0], face[1], face.At(1, 0.035), face.At(0, 0.035)}
		paintMask(dst, fillMask(r, seam, unit), scale(body, 0.8), seam, 0)
	case "bag":
		aspect := w / h
		bodyShape := shape{roundRect(0, 0, 1, 1, 0.1, 0.1*aspect)}
		handle := shape{arcBand(0.5, 0.02, 0.3, 0.23, aspect)}
		bm := fillMask(r, face, bodyShape)
		shadow(dst, bm, off, off, shadowR, 0.45)
		paintMask(dst, fillMask(r, face, handle), scale(body, 0.7), face, 0.1)
		paintMask(dst, bm, body, face, 0.3)
		// Stitching band along the top.
		band := shape{{pt(0.03, 0.08), pt(0.97, 0.08), pt(0.97, 0.11), pt(0.03, 0.11)}}
		paintMask(dst, fillMask(r, face, band), scale(body, 0.82), face, 0)
	case "shoe":
		upper := fillMask(r, face, shape{shoeUpper()})
		sole := fillMask(r, face, shape{shoeSole()})
		shadow(dst, sole, off/2, off, shadowR, 0.5)
		paintMask(dst, upper, body, face, 0.3)
		paintMask(dst, sole, soleColor(body), face, 0.1)
		// Lace eyelets along the top line.
		for i := range 5 {
			u := 0.46 + float64(i)*0.085
			v := 0.33 + float64(i)*0.045
			dot := shape{roundRect(u-0.012, v-0.02, u+0.012, v+0.02, 0.011, 0.018)}
			paintMask(dst, fillMask(r, face, dot), scale(body, 0.55), face, 0)
		}
	default:
		return fmt.Errorf("unknown patch %q", kind)
	}
	return nil
}

func scale(c color.RGBA, k float64) color.RGBA {
	return color.RGBA{R: clamp8(float64(c.R)*k + 6*(k-1)*10), G: clamp8(float64(c.G)*k + 6*(k-1)*10), B: clamp8(float64(c.B)*k + 6*(k-1)*10), A: 255}
}

// soleColor is a white sole under a dark upper and a grey one under a
// light upper.
func soleColor(body color.RGBA) color.RGBA {
	if int(body.R)+int(body.G)+int(body.B) > 600 {
		return color.RGBA{200, 200, 196, 255}
	}
	return color.RGBA{242, 242, 238, 255}
}

func brandHex(slug string) string {
	for _, b := range demoBrands {
		if b.Slug == slug {
			return b.Hex
		}
	}
	return "000000"
}
