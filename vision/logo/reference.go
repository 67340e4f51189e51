package logo

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoMark is returned (wrapped) for a reference image in which no mark can
// be separated from its background: blank, or nearly so.
var ErrNoMark = errors.New("logo: no mark found in reference image")

// anisoRefEcc and anisoCandEcc are the eccentricities under which a
// reference, and a region compared with it, are elongated enough for their
// principal axis to fix the rotation.
const (
	anisoRefEcc  = 0.35
	anisoCandEcc = 0.5
)

// refMaxSide bounds the raster a reference is analysed at.
const refMaxSide = 400

// prepared is everything Detect needs about one reference. It holds no C
// memory, so a reference set can be dropped by the garbage collector while
// an older Detect still reads it.
type prepared struct {
	logoID, brandID string
	rev             string // Reference.Rev
	// shape route
	flat  bool
	mo    moments
	views [numAngles]shapeView
	rad   radial // of views[numAngles/2], the same at every angle
	// rings covers views per ring (see ringEnvelope.bound).
	rings ringEnvelope
	// aniso references (elongated: wordmarks, swooshes) are compared in
	// their whitened principal frame, aligned[1] being turned by 180°.
	aniso   bool
	aligned [2]shapeView
	// tapered are the aligned views under the projective warps of
	// taperGridFor(mo.ecc), for aniso references (see taper.go).
	tapered [][2]shapeView
	aspect  float64 // trimmed mask width/height, for the box
	logEcc  float64
	// nullMax is its chance level: its best score on the null corpus (see
	// nullFS), or on printed words where that is higher (see
	// nullCalibration).
	nullMax float64
	// fineNull is its fine outline's chance level on the null corpus
	// and common words (see nullCalibration).
	fineNull float64
	// distinct is the concavity share of the hull; near 0 for discs and bars.
	distinct float64
	// feature route (textured references)
	feat *refFeatures

	// small are aniso references rendered at small sizes (see small.go).
	small []smallRender
	// round are the other references rendered at small sizes, and
	// nullRound their best score on the null corpus through them (see
	// roundsmall.go).
	round     []roundRender
	nullRound float64

	// tmpl is the silhouette as a grey template for the grey alignment
	// of a match (see ecc.go).
	tmpl eccTemplate
	// inside is the template's inside when the mark is a ring with parts
	// (see ringInside), core nil otherwise; derived from tmpl, so not in
	// the descriptor.
	inside ringCore
}

// prepare normalises a reference: grey, trimmed to the mark, its silhouette
// mask (from alpha when the upload has transparency, otherwise the Otsu side
// that does not touch the border), and the shape views at every search angle.
// Textured references (photos of packaging, multi-tone emblems) also get
// local features.
func prepare(ref Reference, cfg Config) (*prepared, error) {
	if ref.Image == nil || ref.Image.Bounds().Empty() {
		return nil, fmt.Errorf("%w: %s: empty image", ErrNoMark, ref.LogoID)
	}
	g, _ := toGray(ref.Image, refMaxSide, true)
	mask := make([]bool, g.w*g.h)
	useAlpha := false
	if g.alpha != nil {
		var clear, solid int
		for _, a := range g.alpha {
			if a < 128 {
				clear++
			} else {
				solid++
			}
		}
		n := len(g.alpha)
		useAlpha = clear*50 >= n && solid*100 >= n
	}
	if useAlpha {
		for i, a := range g.alpha {
			mask[i] = a >= 128
		}
		// A mark drawn as a light shape on an opaque dark plate inside a
		// transparent margin: the plate is the silhouette; that is fine.
	} else {
		inkMask(g.pix, g.w, g.h, mask)
	}
	// Trim to the mark.
	x0, y0, x1, y1 := g.w, g.h, -1, -1
	area := 0
	for y := range g.h {
		for x := range g.w {
			if mask[y*g.w+x] {
				area++
				x0, y0 = min(x0, x), min(y0, y)
				x1, y1 = max(x1, x), max(y1, y)
			}
		}
	}
	if area < 30 || x1-x0 < 4 || y1-y0 < 4 {
		return nil, fmt.Errorf("%w: %s", ErrNoMark, ref.LogoID)
	}
	src := maskSource{w: x1 - x0 + 1, h: y1 - y0 + 1}
	src.pix = make([]uint8, src.w*src.h)
	for y := range src.h {
		for x := range src.w {
			if mask[(y+y0)*g.w+x+x0] {
				src.pix[y*src.w+x] = 1
			}
		}
	}
	mo, ok := measure(src)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoMark, ref.LogoID)
	}
	p := &prepared{logoID: ref.LogoID, brandID: ref.BrandID, mo: mo, aspect: float64(src.w) / float64(src.h)}
	for i := range numAngles {
		p.views[i] = newShapeView(rasterize(src, mo, angleAt(i)))
	}
	p.logEcc = math.Log(math.Max(mo.ecc, 1e-3))
	p.tmpl = newECCTemplate(src)
	p.inside, _ = ringInside(&p.tmpl)
	p.aniso = mo.ecc < anisoRefEcc
	if p.aniso {
		p.aligned[0] = newShapeView(rasterizeAligned(src, mo, false))
		p.aligned[1] = newShapeView(rasterizeAligned(src, mo, true))
		p.tapered = taperedViews(src, mo)
		p.small = smallRenders(src, mo)
	} else {
		p.round = roundRenders(src, mo)
	}
	mid := numAngles / 2
	p.rad = radialOf(&p.views[mid])
	p.rings = envelopeOf(p.views[:])
	if hull := p.views[mid].maskN + p.views[mid].conc.count(); hull > 0 {
		p.distinct = float64(p.views[mid].conc.count()) / float64(hull)
	}
	// Flat or textured? A flat mark is one or two tones (mark, background)
	// inside its box; anti-aliased edges do not make it textured.
	var vals []uint8
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			i := y*g.w + x
			if !useAlpha || mask[i] {
				vals = append(vals, g.pix[i])
			}
		}
	}
	p.flat = isTwoTone(vals)
	if !p.flat {
		f, err := prepareFeatures(ref.Image, cfg)
		switch {
		case errors.Is(err, errFewFeatures):
			p.flat = true // too plain for features: a flat mark after all
		case err != nil:
			return nil, fmt.Errorf("logo: %s: %w", ref.LogoID, err)
		default:
			p.feat = f
		}
	}
	return p, nil
}

// isTwoTone reports whether nearly all pixels sit close to one of the two
// Otsu class means, as in a flat mark on a plain background.
func isTwoTone(pix []uint8) bool {
	t := otsu(pix, nil)
	var s0, n0, s1, n1 float64
	for _, v := range pix {
		if int(v) <= t {
			s0 += float64(v)
			n0++
		} else {
			s1 += float64(v)
			n1++
		}
	}
	if n0 == 0 || n1 == 0 {
		return true
	}
	m0, m1 := s0/n0, s1/n1
	near := 0
	for _, v := range pix {
		f := float64(v)
		if math.Abs(f-m0) < 40 || math.Abs(f-m1) < 40 {
			near++
		}
	}
	return float64(near) >= 0.9*float64(len(pix))
}

// inkMask sets mask (w*h) to the Otsu side of pix that is not the
// background, the background being the side most border pixels are on: the
// mark of a picture that shows a mark and little else.
func inkMask(pix []uint8, w, h int, mask []bool) {
	t, bgDark := inkSide(pix, w, h)
	for i, v := range pix {
		mask[i] = (int(v) <= t) != bgDark
	}
}

// inkSide returns inkMask's Otsu threshold t of pix (w*h) and whether the
// background is its dark side (v <= t): a value v is ink when
// (v <= t) != bgDark.
func inkSide(pix []uint8, w, h int) (t int, bgDark bool) {
	t = otsu(pix, nil)
	var dark, light int
	border := func(i int) {
		if int(pix[i]) <= t {
			dark++
		} else {
			light++
		}
	}
	for x := range w {
		border(x)
		border((h-1)*w + x)
	}
	for y := range h {
		border(y * w)
		border(y*w + w - 1)
	}
	return t, dark > light
}
