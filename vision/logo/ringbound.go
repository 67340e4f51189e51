package logo

import (
	"math"
	"math/bits"
)

// This file holds a bound that lets the shape matcher skip a reference
// without trying any angle. A region's raster and a reference's rasters at
// every search angle are counted per ring around the grid centre (the
// radial profile's rings; the normalisation puts every centroid there).
// Two cells can only coincide within one ring, so the overlap of the region
// with any view of the reference is at most the sum, over rings, of the
// smaller of the region's count there and the most any view puts there.
// That caps the tolerant overlap and the shape score at every angle at
// once, in a few dozen additions, where the angle search costs a raster
// comparison per angle. It is arithmetic on counts, never an estimate: a
// pair it rules out would score 0 (TestRingBound). About a third of the
// pairs the radial profile lets through are ruled out so.

// ringOf[y][x] is the ring of grid cell (x, y), as in ringRows.
var ringOf = func() (t [gridN][gridN]uint8) {
	for k := range radBins {
		for y := range gridN {
			for w := ringRows[k][y]; w != 0; w &= w - 1 {
				t[y][bits.TrailingZeros64(w)] = uint8(k)
			}
		}
	}
	return t
}()

// ringHist is a cell count per ring.
type ringHist [radBins]uint16

func (h *ringHist) add(g *bitgrid) {
	for y, w := range g {
		row := &ringOf[y]
		for ; w != 0; w &= w - 1 {
			h[row[bits.TrailingZeros64(w)]]++
		}
	}
}

// ringCounts are a view's mask, concavity and their dilations, counted per
// ring.
type ringCounts struct {
	mask, maskD, conc, concD ringHist
}

func ringCountsOf(v *shapeView) ringCounts {
	var r ringCounts
	r.mask.add(&v.mask)
	r.maskD.add(&v.maskD)
	r.conc.add(&v.conc)
	r.concD.add(&v.concD)
	return r
}

// radial returns the radial profile of the view r counts, whose mask has
// maskN cells: radialOf's, from the same cell counts per ring (ringOf
// puts each cell in the ring of ringRows that holds it), without another
// pass over the rasters.
func (r *ringCounts) radial(maskN int) radial {
	var out radial
	n := float32(max(1, maskN))
	for k := range radBins {
		out[k] = float32(r.mask[k]) / n
		out[radBins+k] = float32(r.conc[k]) / n
	}
	return out
}

// ringEnvelope covers a reference at all its search angles: per ring the
// most cells any view holds there, and the fewest mask and concavity cells
// of any view.
type ringEnvelope struct {
	most         ringCounts
	maskN, concN int
}

func envelopeOf(views []shapeView) ringEnvelope {
	e := ringEnvelope{maskN: math.MaxInt, concN: math.MaxInt}
	for i := range views {
		v := &views[i]
		r := ringCountsOf(v)
		for k := range radBins {
			e.most.mask[k] = max(e.most.mask[k], r.mask[k])
			e.most.maskD[k] = max(e.most.maskD[k], r.maskD[k])
			e.most.conc[k] = max(e.most.conc[k], r.conc[k])
			e.most.concD[k] = max(e.most.concD[k], r.concD[k])
		}
		e.maskN, e.concN = min(e.maskN, v.maskN), min(e.concN, v.concN)
	}
	return e
}

// boundSlack absorbs floating-point rounding, so that a bound computed in a
// different order than the score it caps still caps it.
const boundSlack = 1e-9

// bound caps, for the region view c (its ring counts cr) against every view
// of the reference e covers, the masks' tolerantF and the shape score.
func (e *ringEnvelope) bound(c *shapeView, cr *ringCounts) (maskTol, score float64) {
	var mIn, mHit, cIn, cHit int
	for k := range radBins {
		mIn += int(min(cr.mask[k], e.most.mask[k]))
		mHit += int(min(cr.mask[k], e.most.maskD[k])) + int(min(cr.maskD[k], e.most.mask[k]))
		cIn += int(min(cr.conc[k], e.most.conc[k]))
		cHit += int(min(cr.conc[k], e.most.concD[k])) + int(min(cr.concD[k], e.most.conc[k]))
	}
	m, maskTol := agreementBound(mIn, mHit, c.maskN, e.maskN)
	k, _ := agreementBound(cIn, cHit, c.concN, e.concN)
	return maskTol + boundSlack, combine(m, k) + boundSlack
}

// agreementBound caps agreement (0.5·IoU + 0.5·tolerantF) and tolerantF of
// a grid of an cells against grids of at least bn cells, given caps on
// their intersection (in) and on their tolerant hits (hit). The IoU is at
// most the tolerantF (its intersection is in both tolerant hits), and at
// most j/(an+max(bn,j)-j) with j = min(in, an): the IoU grows with the
// intersection and falls as the other grid grows, and the other grid is no
// smaller than the intersection.
func agreementBound(in, hit, an, bn int) (agree, tol float64) {
	if an+bn == 0 {
		return 0, 0
	}
	tol = min(1, float64(hit)/float64(an+bn))
	j := min(in, an)
	iou := min(tol, float64(j)/float64(an+max(bn, j)-j))
	return 0.5*iou + 0.5*tol, tol
}
