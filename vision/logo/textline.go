package logo

import "image"

// inTextLine reports whether region c is a piece cut out of a longer row of
// glyphs: beside it, within lineGap of its height, lie at least two
// regions of the same height (within lineHeightTol) on the same line (their
// vertical spans overlapping by lineOverlap of the smaller) and outside
// c's box. Text in a photo ("l comp", "JK") is the commonest real outline
// a wordmark or a letter-like mark fits roughly; a registered mark printed
// on a product is a whole, so what continues it on its own line at its
// own height says the region is a fragment of some other text. A
// wordmark set in a line of other words of its very height is the case
// this gives up.
func inTextLine(c *candidate, cands []*candidate) bool {
	b := c.box
	h := b.Dy()
	if h <= 0 {
		return false
	}
	n := 0
	for _, o := range cands {
		ob := o.box
		if o == c || ob.Overlaps(b) {
			continue
		}
		oh := ob.Dy()
		if float64(oh) < (1-lineHeightTol)*float64(h) || float64(oh) > (1+lineHeightTol)*float64(h) {
			continue
		}
		// Same line: vertical spans overlap by most of the smaller.
		ov := min(ob.Max.Y, b.Max.Y) - max(ob.Min.Y, b.Min.Y)
		if float64(ov) < lineOverlap*float64(min(oh, h)) {
			continue
		}
		// Beside c, not far.
		gap := max(ob.Min.X-b.Max.X, b.Min.X-ob.Max.X)
		if gap < 0 || float64(gap) > lineGap*float64(h) {
			continue
		}
		// A glyph, not a panel or a bar: no wider than three of its
		// heights.
		if ob.Dx() > 3*oh || !glyphLike(ob) {
			continue
		}
		if n++; n >= 2 {
			return true
		}
	}
	return false
}

// glyphLike reports whether a box has a glyph's proportions (from a thin
// "l" to a wide "W" or a short word).
func glyphLike(r image.Rectangle) bool {
	return r.Dx() > 0 && 5*r.Dx() >= r.Dy()
}

const (
	lineHeightTol = 0.15
	lineOverlap   = 0.8
	lineGap       = 0.5
)
