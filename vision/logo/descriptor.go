package logo

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"

	"gocv.io/x/gocv"
)

// A descriptor is everything the matcher keeps about one reference (its
// shape views and concavities at every search angle, moments, null-corpus
// calibration, SIFT keypoints and descriptors), encoded so that it can be
// computed once, stored beside the logo, and loaded by every worker far
// faster than it is prepared. It starts with a fingerprint of the code and
// settings that shaped it; a worker with other settings recomputes instead
// of trusting it.

// ErrStaleDescriptor is returned (wrapped) for a descriptor made with other
// settings or another encoding, or unreadable: prepare the reference from
// its image instead.
var ErrStaleDescriptor = errors.New("logo: descriptor made with other settings")

const descMagic = "CLD1"

// descVersion fingerprints what a descriptor depends on: the shape-route
// settings and constants, the feature raster and the null corpus.
func descVersion(c Config, nullRegions int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%d|%d|%d|%v|%v|%v|%v|%v|%v|%v|%d|%d|%v|%v|%v",
		c.MaxSide, c.LevelStep, c.MinSide, c.MinArea, c.GroupGap, c.MaxLogEcc, c.HashMaxDist,
		c.CoarseMin, c.ShapeMid, c.ShapeWidth, c.MinInliers, gridN, refMaxSide, gridExtent, angleStep, maxAngle)
	fmt.Fprintf(h, "|%v|%v|%v|%d|%d", alignedSpread, anisoRefEcc, anisoCandEcc, featMaxSide, nullRegions)
	fmt.Fprintf(h, "|%d|%v|%v|%d", c.ColourSide, c.ColourTols, c.SplitTwoTone, minTwoToneContrast)
	fmt.Fprintf(h, "|%v", anisoLogEcc)
	fmt.Fprintf(h, "|taper%v|%v|%v|%v|%v|%v", taperGridFor(0), taperStep, taperMinReach, taperMaxReach, taperReach, taperCost)
	fmt.Fprintf(h, "|chroma%d", c.ChromaStep) // chroma regions enter the null calibration
	fmt.Fprint(h, "|whole1")                  // frame-like regions (whole.go) enter the null calibration
	fmt.Fprintf(h, "|small%v|%v|%v|%v", smallSides, smallCuts, smallRatio, smallCost)
	fmt.Fprint(h, "|glyphs2") // the glyph corpus holds the faces of nullglyphs/

	fmt.Fprintf(h, "|twins%v", twinScore) // colour regions with a grey box enter the null calibration (twins.go)
	fmt.Fprint(h, "|roundsmall1")         // round references' small renderings and their null score (roundsmall.go)
	fmt.Fprintf(h, "|ecc%d", eccSide)     // the grey template (ecc.go)
	fmt.Fprint(h, "|chromaraw1")          // the chroma ladder cuts the colour raster before its median (photoCandidates): its regions enter the null calibration
	fmt.Fprint(h, "|nested1")             // a component with the parts inside its holes is a region (ladderRegions): they enter the null calibration

	// The fine outline's chance level (nullCalibration) and the words it
	// reads (words.go).
	fmt.Fprintf(h, "|finenull%d|%v|%d|%d|%d|%v", fineNullTop, fineTau, fineSide, fineMaxPoints, wordGap, wordFaces)
	fmt.Fprintf(h, "|wordrank%d", wordRank)               // the words' level enters nullMax
	fmt.Fprintf(h, "|midcut%v|%v", c.MidCut, midInkShare) // small ladder regions cut midway (midcut.go): they enter the null calibration
	fmt.Fprint(h, "|midcutparts1")                        // the ladder's cut kept beside a mid cut with other parts (midCutter.parts): they enter the null calibration
	fmt.Fprintf(h, "|midcutlarge%v", c.MidCutLarge)       // ladder regions of every size cut midway (MidCutLarge)
	fmt.Fprintf(h, "|groupslack%d", c.GroupSlack)         // groups linked a pixel looser (GroupSlack): they enter the null calibration
	return h.Sum64()
}

// Descriptor returns the encoded descriptor of the reference logoID of the
// current set, and false when the set has no such reference.
func (d *Detector) Descriptor(logoID string) ([]byte, bool) {
	p, ok := d.refs.Load().byID[logoID]
	if !ok {
		return nil, false
	}
	return encodePrepared(p, d.descVer), true
}

// CheckDescriptor reports whether b can stand in for preparing a reference
// on this detector: nil, or an error wrapping [ErrStaleDescriptor].
func (d *Detector) CheckDescriptor(b []byte) error {
	_, err := decodePrepared(b, d.descVer)
	return err
}

type descWriter struct {
	w   io.Writer
	buf [8]byte
}

func (w *descWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(w.buf[:], v)
	_, _ = w.w.Write(w.buf[:]) // a bytes.Buffer behind flate: cannot fail
}
func (w *descWriter) f64(v float64) { w.u64(math.Float64bits(v)) }
func (w *descWriter) flag(v bool) {
	if v {
		w.u64(1)
	} else {
		w.u64(0)
	}
}
func (w *descWriter) grid(g *bitgrid) {
	for _, row := range g {
		w.u64(row)
	}
}
func (w *descWriter) view(v *shapeView) { w.grid(&v.mask); w.grid(&v.conc) }
func (w *descWriter) bytes(b []byte)    { w.u64(uint64(len(b))); _, _ = w.w.Write(b) }

func encodePrepared(p *prepared, version uint64) []byte {
	var out bytes.Buffer
	out.WriteString(descMagic)
	_ = binary.Write(&out, binary.LittleEndian, version)
	fw, _ := flate.NewWriter(&out, flate.BestSpeed) // level is valid
	w := &descWriter{w: fw}
	w.flag(p.flat)
	for _, v := range []float64{p.mo.area, p.mo.cx, p.mo.cy, p.mo.radius, p.mo.ecc, p.mo.theta, p.mo.l1, p.mo.l2,
		p.aspect, p.logEcc, p.nullMax, p.distinct, p.fineNull} {
		w.f64(v)
	}
	for i := range p.views {
		w.view(&p.views[i])
	}
	w.flag(p.aniso)
	if p.aniso {
		w.view(&p.aligned[0])
		w.view(&p.aligned[1])
		w.u64(uint64(len(p.tapered)))
		for i := range p.tapered {
			w.view(&p.tapered[i][0])
			w.view(&p.tapered[i][1])
		}
		w.u64(uint64(len(p.small)))
		for i := range p.small {
			w.f64(p.small[i].rms)
			w.u64(uint64(len(p.small[i].views)))
			for b := range p.small[i].views {
				w.view(&p.small[i].views[b][0])
				w.view(&p.small[i].views[b][1])
			}
		}
	} else {
		w.f64(p.nullRound)
		w.u64(uint64(len(p.round)))
		for i := range p.round {
			w.f64(p.round[i].radius)
			w.u64(uint64(len(p.round[i].views)))
			for b := range p.round[i].views {
				w.view(&p.round[i].views[b])
			}
		}
	}
	w.u64(uint64(p.tmpl.w))
	w.u64(uint64(p.tmpl.h))
	w.f64(p.tmpl.sx)
	w.f64(p.tmpl.sy)
	_, _ = w.w.Write(p.tmpl.pix)
	w.flag(p.feat != nil)
	if f := p.feat; f != nil {
		w.u64(uint64(f.w))
		w.u64(uint64(f.h))
		w.u64(uint64(len(f.pts)))
		for _, q := range f.pts {
			w.u64(uint64(math.Float32bits(q.X))<<32 | uint64(math.Float32bits(q.Y)))
		}
		w.bytes(f.desc)
	}
	_ = fw.Close()
	return out.Bytes()
}

type descReader struct {
	r   io.Reader
	buf [8]byte
	err error
}

func (r *descReader) u64() uint64 {
	if r.err != nil {
		return 0
	}
	if _, err := io.ReadFull(r.r, r.buf[:]); err != nil {
		r.err = err
		return 0
	}
	return binary.LittleEndian.Uint64(r.buf[:])
}
func (r *descReader) f64() float64 { return math.Float64frombits(r.u64()) }
func (r *descReader) flag() bool   { return r.u64() == 1 }
func (r *descReader) grid(g *bitgrid) {
	for i := range g {
		g[i] = r.u64()
	}
}

// view reads a mask and its concavity and derives the rest.
func (r *descReader) view(v *shapeView) {
	r.grid(&v.mask)
	r.grid(&v.conc)
	v.hash, v.maskN = v.mask.hash8(), v.mask.count()
	v.fillDilated()
}

// maxDescFeatures bounds what a descriptor may claim, so a corrupt one
// cannot make us allocate without limit.
const maxDescFeatures = 1 << 16

func decodePrepared(b []byte, version uint64) (*prepared, error) {
	if len(b) < len(descMagic)+8 || string(b[:len(descMagic)]) != descMagic {
		return nil, fmt.Errorf("%w: not a descriptor", ErrStaleDescriptor)
	}
	if v := binary.LittleEndian.Uint64(b[len(descMagic):]); v != version {
		return nil, fmt.Errorf("%w: version %x, want %x", ErrStaleDescriptor, v, version)
	}
	fr := flate.NewReader(bytes.NewReader(b[len(descMagic)+8:]))
	defer fr.Close()
	r := &descReader{r: fr}
	p := &prepared{flat: r.flag()}
	for _, f := range []*float64{&p.mo.area, &p.mo.cx, &p.mo.cy, &p.mo.radius, &p.mo.ecc, &p.mo.theta, &p.mo.l1, &p.mo.l2,
		&p.aspect, &p.logEcc, &p.nullMax, &p.distinct, &p.fineNull} {
		*f = r.f64()
	}
	for i := range p.views {
		r.view(&p.views[i])
	}
	p.rad = radialOf(&p.views[numAngles/2])
	p.rings = envelopeOf(p.views[:])
	if p.aniso = r.flag(); p.aniso {
		r.view(&p.aligned[0])
		r.view(&p.aligned[1])
		grid := taperGridFor(p.mo.ecc)
		if n := r.u64(); n != uint64(len(grid)) {
			return nil, fmt.Errorf("%w: %d tapered views, want %d", ErrStaleDescriptor, n, len(grid))
		}
		p.tapered = make([][2]shapeView, len(grid))
		for i := range p.tapered {
			r.view(&p.tapered[i][0])
			r.view(&p.tapered[i][1])
		}
		if n := r.u64(); n != uint64(len(smallSides)) {
			return nil, fmt.Errorf("%w: %d small renderings, want %d", ErrStaleDescriptor, n, len(smallSides))
		}
		p.small = make([]smallRender, len(smallSides))
		for i := range p.small {
			p.small[i].rms = r.f64()
			if n := r.u64(); n != uint64(2*len(smallCuts)) {
				return nil, fmt.Errorf("%w: %d small variants, want %d", ErrStaleDescriptor, n, 2*len(smallCuts))
			}
			p.small[i].views = make([][2]shapeView, 2*len(smallCuts))
			for b := range p.small[i].views {
				r.view(&p.small[i].views[b][0])
				r.view(&p.small[i].views[b][1])
			}
		}
	} else {
		p.nullRound = r.f64()
		if n := r.u64(); n != uint64(len(smallSides)) {
			return nil, fmt.Errorf("%w: %d round renderings, want %d", ErrStaleDescriptor, n, len(smallSides))
		}
		p.round = make([]roundRender, len(smallSides))
		for i := range p.round {
			p.round[i].radius = r.f64()
			if n := r.u64(); n != uint64(2*len(smallCuts)) {
				return nil, fmt.Errorf("%w: %d round variants, want %d", ErrStaleDescriptor, n, 2*len(smallCuts))
			}
			p.round[i].views = make([]shapeView, 2*len(smallCuts))
			for b := range p.round[i].views {
				r.view(&p.round[i].views[b])
			}
		}
	}
	tw, th := r.u64(), r.u64()
	if tw > eccSide || th > eccSide {
		return nil, fmt.Errorf("%w: grey template %dx%d", ErrStaleDescriptor, tw, th)
	}
	p.tmpl = eccTemplate{w: int(tw), h: int(th), pix: make([]uint8, tw*th)}
	p.tmpl.sx = r.f64()
	p.tmpl.sy = r.f64()
	if r.err == nil {
		_, r.err = io.ReadFull(r.r, p.tmpl.pix)
		p.inside, _ = ringInside(&p.tmpl)
	}
	if r.flag() {
		f := &refFeatures{w: int(r.u64()), h: int(r.u64())}
		n := r.u64()
		if n > maxDescFeatures {
			return nil, fmt.Errorf("%w: %d features", ErrStaleDescriptor, n)
		}
		f.pts = make([]gocv.Point2f, n)
		for i := range f.pts {
			v := r.u64()
			f.pts[i] = gocv.Point2f{X: math.Float32frombits(uint32(v >> 32)), Y: math.Float32frombits(uint32(v))}
		}
		if m := r.u64(); m != n*128*4 {
			return nil, fmt.Errorf("%w: %d descriptor bytes for %d features", ErrStaleDescriptor, m, n)
		}
		f.desc = make([]byte, n*128*4)
		if r.err == nil {
			_, r.err = io.ReadFull(r.r, f.desc)
		}
		p.feat = f
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: truncated: %v", ErrStaleDescriptor, r.err)
	}
	return p, nil
}
