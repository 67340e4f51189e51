package logo

import (
	"image"
	"math"

	"gocv.io/x/gocv"
)

// This file holds the parts rule: a region in one part matched to a
// reference of several parts is evidence against the match, unless the
// reference's gaps between its parts are narrow enough, at the region's
// size, for the blur of a photo to close them. Blur and JPEG do join the
// parts of small marks (Reebok's four stripes at 33 px, PlayStation's
// three shapes at 59 px), so a missing gap is no evidence by itself; but a
// gap several pixels wide survives any blur a photo of that size plausibly
// has, and a region without it is another shape that only resembles the
// reference's silhouette (a blob of a scene fitting Snapcraft's three
// parts, an unregistered arc fitting Redmine's seven dashes).
//
// The prediction renders the reference's silhouette with its longer side
// at the region's, blurs it by PartsBlur working pixels and cuts it at half
// the ink's contrast, the level at which a blurred edge stays where it was:
// the parts a photo of the mark at that size keeps. PartsBlur follows from
// the pipeline (see DefaultConfig), not from the cases.
//
// A region that keeps at least one of the reference's holes is excused: a
// hole is inner structure a chance blob rarely has, and marks do come in
// one part with their holes when the cut takes another tone of the mark
// with the ink (Starbucks' badge, New Balance's speed lines joined to its
// letters under perspective).

// partsMinPred is the fewest parts the reference must keep at the region's
// size for a region in one part to be vetoed: with two, a chance join (two
// letters touching in a tight wordmark) is too common.
const partsMinPred = 3

// silhouette is a reference's trimmed mask, bit-packed, with its parts and
// holes at full size.
type silhouette struct {
	w, h         int
	bits         []byte
	parts, holes int
}

// newSilhouette packs src (values 0 or 1) and counts its parts and holes of
// at least minArea pixels.
func newSilhouette(src maskSource, minArea int) silhouette {
	s := silhouette{w: src.w, h: src.h, bits: make([]byte, (src.w*src.h+7)/8)}
	for i, v := range src.pix {
		if v != 0 {
			s.bits[i/8] |= 1 << (i % 8)
		}
	}
	s.parts = countParts(src.pix, src.w, src.h, 0, minArea)
	s.holes = countHoles(src.pix, src.w, src.h, 0, minArea)
	return s
}

// pix returns the mask as 0 or 255 a pixel.
func (s silhouette) pix() []uint8 {
	out := make([]uint8, s.w*s.h)
	for i := range out {
		if s.bits[i/8]&(1<<(i%8)) != 0 {
			out[i] = 255
		}
	}
	return out
}

// partsFactor is 0 when the region of m is in one part, keeps none of the
// reference's holes, and the reference would keep partsMinPred parts or
// more at the region's size under a blur of PartsBlur; 1 otherwise.
// PartsBlur 0 turns the rule off.
func (c Config) partsFactor(m shapeMatch) float64 {
	s := &m.ref.sil
	if c.PartsBlur <= 0 || s.parts < partsMinPred || len(s.bits) == 0 {
		return 1
	}
	w, h := m.cand.src.Dx(), m.cand.src.Dy()
	// f is the region's raster pixels per working pixel: 1 on the grey
	// raster, about ColourSide/MaxSide on the colour raster, whose pixels
	// average f^-2 working pixels and whose zones are grown by a pixel.
	f := float64(max(w, h)) / float64(max(1, m.cand.box.Dx(), m.cand.box.Dy()))
	minArea := max(1, int(math.Round(float64(c.MinPartArea)*f*f)))
	if countParts(m.cand.mask, w, h, 0, minArea) > 1 {
		return 1
	}
	if s.holes > 0 && countHoles(m.cand.mask, w, h, 0, minArea) > 0 {
		return 1
	}
	sigma := c.PartsBlur * f
	if f < 1 {
		sigma = math.Hypot(sigma, boxSigma)
	}
	if predictParts(*s, max(w, h), sigma, 0.5, m.cand.colour, minArea) < partsMinPred {
		return 1
	}
	return 0
}

// boxSigma is the Gaussian sigma of averaging over a one-pixel box.
var boxSigma = math.Sqrt(1.0 / 12)

// countParts returns the 8-connected components of the pixels of pix
// (w x h) above t that have at least minArea pixels.
func countParts(pix []uint8, w, h int, t uint8, minArea int) int {
	var r runLabeler
	r.cut(pix, w, h, t)
	n := 0
	for _, c := range r.components(0, nil) {
		if c.area >= minArea {
			n++
		}
	}
	return n
}

// countHoles returns the components of the pixels of pix (w x h) at or
// below t that do not reach the raster's edge and have at least minArea
// pixels: the holes of the mask above t (8-connected, as the labeller
// links runs).
func countHoles(pix []uint8, w, h int, t uint8, minArea int) int {
	pw, ph := w+2, h+2
	buf := make([]uint8, pw*ph)
	for y := range h {
		for x := range w {
			if pix[y*w+x] <= t {
				buf[(y+1)*pw+x+1] = 1
			}
		}
	}
	for x := range pw {
		buf[x], buf[(ph-1)*pw+x] = 1, 1
	}
	for y := range ph {
		buf[y*pw], buf[y*pw+pw-1] = 1, 1
	}
	var r runLabeler
	r.cut(buf, pw, ph, 0)
	n := 0
	for _, c := range r.components(0, nil) {
		// The outside is the one component reaching the frame.
		if c.area >= minArea && c.box.Min.X > 0 && c.box.Min.Y > 0 {
			n++
		}
	}
	return n
}

// predictParts renders s with its longer side at L pixels, blurs it by a
// Gaussian of sigma pixels, cuts it at level (0..1 of the ink's contrast),
// grows the cut by a pixel when grow is set (as colour zones are), and
// counts the parts of at least minArea pixels: the parts a mark of this
// shape keeps at that size in a photo that blurs that much.
func predictParts(s silhouette, L int, sigma, level float64, grow bool, minArea int) int {
	m, err := gocv.NewMatFromBytes(s.h, s.w, gocv.MatTypeCV8U, s.pix())
	if err != nil {
		return 0
	}
	defer m.Close()
	f := float64(L) / float64(max(s.w, s.h))
	w, h := max(1, int(math.Round(float64(s.w)*f))), max(1, int(math.Round(float64(s.h)*f)))
	interp := gocv.InterpolationArea
	if f > 1 {
		interp = gocv.InterpolationLinear
	}
	r := gocv.NewMat()
	defer r.Close()
	gocv.Resize(m, &r, image.Pt(w, h), 0, 0, interp)
	rb, err := r.DataPtrUint8()
	if err != nil {
		return 0
	}
	// Pad so that the blur spreads past the mark's box.
	pad := int(math.Ceil(3*sigma)) + 1
	pw, ph := w+2*pad, h+2*pad
	buf := make([]uint8, pw*ph)
	for y := range h {
		copy(buf[(y+pad)*pw+pad:], rb[y*w:(y+1)*w])
	}
	p, err := gocv.NewMatFromBytes(ph, pw, gocv.MatTypeCV8U, buf)
	if err != nil {
		return 0
	}
	defer p.Close()
	if sigma > 0 {
		gocv.GaussianBlur(p, &p, image.Pt(0, 0), sigma, sigma, gocv.BorderConstant)
	}
	t := float32(math.Round(level * 255))
	gocv.Threshold(p, &p, t, 255, gocv.ThresholdBinary)
	if grow {
		k := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(3, 3))
		defer k.Close()
		gocv.Dilate(p, &p, k)
	}
	b, err := p.DataPtrUint8()
	if err != nil {
		return 0
	}
	return countParts(b, pw, ph, 0, minArea)
}
