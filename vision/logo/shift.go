package logo

import "math/bits"

// shiftN is the number of translations the refinement may try: every
// shift of up to maxShift cells along each axis.
const shiftN = (2*maxShift + 1) * (2*maxShift + 1)

// shiftSet is a region view translated by up to maxShift cells, laid out
// row by row with the unshifted view in the middle. Each translated view is
// made the first time it is asked for: bestShift's climb reads about half
// of them, and making all 25 (two shifts and two dilations each, 53 KB) for
// every region that reached refinement cost more than the climb itself.
type shiftSet struct {
	base  *shapeView
	views [shiftN]*shapeView
	// climbs counts the refinements (bestShift) made on the set, for the
	// benchmark's counts.
	climbs int
}

func newShiftSet(v *shapeView) *shiftSet { return &shiftSet{base: v} }

// at returns the view shifted by the i-th translation (dx = i%n - maxShift,
// dy = i/n - maxShift, n = 2*maxShift+1). The middle one is the view
// itself: shifting by nothing copies the grids, and its dilations, counts
// and row spans follow from them alone.
func (s *shiftSet) at(i int) *shapeView {
	if i == shiftN/2 {
		return s.base
	}
	if v := s.views[i]; v != nil {
		return v
	}
	const n = 2*maxShift + 1
	dx, dy := i%n-maxShift, i/n-maxShift
	b := s.base
	v := new(shapeView)
	b.mask.shiftInto(&v.mask, dx, dy)
	b.conc.shiftInto(&v.conc, dx, dy)
	if inner(b) {
		// Nothing falls off the grid, so the dilations, counts and row
		// spans are the base's, moved.
		b.maskD.shiftInto(&v.maskD, dx, dy)
		b.concD.shiftInto(&v.concD, dx, dy)
		v.maskN, v.concN = b.maskN, b.concN
		v.maskRows, v.concRows = b.maskRows.moved(dy), b.concRows.moved(dy)
	} else {
		v.fillDilated()
	}
	s.views[i] = v
	return v
}

// inner reports whether v's mask and concavity cells lie at least
// maxShift cells from every edge of the grid: shifted by up to maxShift
// they lose no cell, and their dilations lost none to the edge, so the
// dilation of a shifted grid is the shifted dilation
// (TestShiftSetMatchesDefinition).
func inner(v *shapeView) bool {
	const lo, hi = maxShift, gridN - 1 - maxShift
	var cols uint64
	for y := range gridN {
		if w := v.mask[y] | v.conc[y]; w != 0 {
			if y < lo || y > hi {
				return false
			}
			cols |= w
		}
	}
	return cols == 0 || (bits.TrailingZeros64(cols) >= lo && 63-bits.LeadingZeros64(cols) <= hi)
}

// moved is s moved by dy rows; an empty span stays empty.
func (s rowSpan) moved(dy int) rowSpan {
	if s.first > s.last {
		return s
	}
	return rowSpan{s.first + dy, s.last + dy}
}

// shifted returns c's view under every translation of the refinement.
func (c *candidate) shifted() *shiftSet {
	if c.shifts == nil {
		c.shifts = newShiftSet(&c.view)
	}
	return c.shifts
}

// alignedShifted returns c's aligned view under every translation; c must
// have one.
func (c *candidate) alignedShifted() *shiftSet {
	if c.alignedShifts == nil {
		c.alignedShifts = newShiftSet(c.aligned)
	}
	return c.alignedShifts
}

// refinements returns the refinements (bestShift climbs) made on cands'
// views since the last call, and resets their counts.
func refinements(cands []*candidate) int {
	n := 0
	for _, c := range cands {
		for _, s := range []*shiftSet{c.shifts, c.alignedShifts} {
			if s != nil {
				n += s.climbs
				s.climbs = 0
			}
		}
	}
	return n
}
