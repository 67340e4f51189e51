package logo

import "image"

// This file holds how a colour region is told from a grey region of the
// same box. The colour zones and the chroma ladder used to drop every
// region whose box the grey ladder already had, as a duplicate. But a box
// says nothing of the mask inside it: on a busy photo the grey cut of a
// flat wordmark takes the mark with pieces of the texture between and
// around its letters (their grey is on the mark's side of every level),
// while the colour zones hold the letters alone, in the very same box (a
// yellow 260-px Samsung on black, grey and white polygons scored 0.65 as
// its grey cut and 0.81 as its colour zones, which were dropped). So a
// colour region with a grey region's box is dropped only when it also has
// that region's shape.

// twinScore is the shape score (shapeScore of the two regions' views) at
// which a colour region is the same shape as a grey region of its box: as
// close as two cuts of one mask through different rasters come (a colour
// zone is grown by a pixel and cut from a raster half as fine).
const twinScore = 0.9

// boxIndex holds regions by their box, keyed as fresh keys them.
type boxIndex map[boxKey][]*candidate

// indexBoxes returns the index of cands' boxes.
func indexBoxes(cands []*candidate) boxIndex {
	ix := make(boxIndex, len(cands))
	for _, c := range cands {
		k := keyOf(c.box)
		ix[k] = append(ix[k], c)
	}
	return ix
}

// dropTwins returns more without the regions that have the box of an
// indexed region and its shape (shapeScore of their views at least
// twinScore). It filters more in place.
func (ix boxIndex) dropTwins(more []*candidate) []*candidate {
	out := more[:0]
	for _, c := range more {
		if !ix.hasTwin(c) {
			out = append(out, c)
		}
	}
	clear(more[len(out):])
	return out
}

// hasTwin reports whether an indexed region has c's box and shape.
func (ix boxIndex) hasTwin(c *candidate) bool {
	for _, o := range ix[keyOf(c.box)] {
		if shapeScore(&c.view, &o.view) >= twinScore {
			return true
		}
	}
	return false
}

// keyOf is b quantised to a sixteenth of its longer side (two pixels at
// least), the key under which fresh takes two boxes for the same.
func keyOf(b image.Rectangle) boxKey {
	q := max(2, max(b.Dx(), b.Dy())/16)
	return boxKey{(b.Min.X + q/2) / q, (b.Min.Y + q/2) / q, (b.Max.X + q/2) / q, (b.Max.Y + q/2) / q, q}
}
