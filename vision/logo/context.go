package logo

import (
	"image"
	"math"
	"slices"
)

// This file holds the context check of a shape match. With a thousand
// references some reference has the silhouette of almost any part of a
// larger figure: two letters of a line of text, four squares of a
// chessboard, a gear's arch around a molecule, four dots of a grid of
// dots. The part alone is a real look-alike, and no score on the region
// (shape, margin, crowd, edge, gaps) tells it from a print. What tells it
// is what lies next to it: a printed mark stands on its ground (a
// product's panel, a label, the photo), while the part of a figure has
// more parts of that figure beside it: whole shapes of its own ink and
// tone and of the size of its own parts (the next letters, the next
// squares). So the region's ink and ground tones are read on the raster
// it was cut from, and the shapes of the ink's tone around it are counted.
// The decision reads it once per match that can still be reported after
// the crowd (see decideShape).

// ctxSamples is about how many grid cells span the longer side of a
// region's box: larger regions are read on a coarser grid.
const ctxSamples = 48

// ctxNear is how far past the region's box, over its longer side, a part
// of its figure must reach: the next letter or square touches or nearly
// touches it.
const ctxNear = 0.15

// ctxWin is how far past the region's box, over its longer side, the
// window its context is read in reaches: a part must lie whole in it (a
// shape running out of it is ground or texture, not a part).
const ctxWin = 1.0

// ctxPartMin is the least longer side of a part, over the region's.
const ctxPartMin = 0.1

// ctxInk is how close to the region's ink, over the step from its ink to
// its ground, a cell must be to belong to a shape of the ink's tone;
// ctxTone is how close such a shape must be on average to be of the
// ink's own tone (a print is flat; texture and shading are not).
const ctxInk, ctxTone = 0.5, 0.3

// ctxMinContrast is the least step from the region's ink to its ground,
// in grey levels (three times that over RGB for colour regions), at
// which tones can be told apart.
const ctxMinContrast = 12.0

// figureParts is what lies next to a region: parts counts the whole
// shapes of its ink's tone, near it, of the size of its own parts (half
// to twice their median longer side); outside counts those whose centre
// lies outside its box, which the check uses (a shape in the box may be
// a part of the mark itself that the region left out). ok is false when
// they were not read (the region's ink and ground too close in tone).
type figureParts struct {
	parts, outside int
	ok             bool
}

// Cell classes of the grid contextOf reads.
const (
	cellFree = iota
	cellMask
	cellEdge // within a cell or two of the mask: its blurred edge
)

// contextOf reads what lies next to region c on the raster it was cut
// from (g for grey regions, col for colour ones).
func contextOf(c *candidate, g grayImage, col rgbImage) figureParts {
	pix, w, h, ch := g.pix, g.w, g.h, 1
	if c.colour {
		pix, w, h, ch = col.pix, col.w, col.h, 3
	}
	sb := c.src
	if sb.Empty() || len(c.mask) < sb.Dx()*sb.Dy() || len(pix) < ch*w*h || w == 0 || h == 0 {
		return figureParts{}
	}
	bw := sb.Dx()
	L := max(sb.Dx(), sb.Dy())
	st := max(1, L/ctxSamples)
	// The window, sampled on a grid of step st: each cell is the mask's,
	// its edge's, or free to be read.
	win := sb.Inset(-int(math.Ceil(ctxWin * float64(L)))).Intersect(image.Rect(0, 0, w, h))
	gw, gh := (win.Dx()+st-1)/st, (win.Dy()+st-1)/st
	cls := make([]uint8, gw*gh)
	// Ink: the mean of the mask's inner pixels (all four neighbours in
	// the mask), or of all its pixels for a thin region.
	var ink, all [3]float64
	nInk, nAll := 0, 0
	for y := max(sb.Min.Y, 0); y < min(sb.Max.Y, h); y++ {
		row := c.mask[(y-sb.Min.Y)*bw : (y-sb.Min.Y+1)*bw]
		var up, down []uint8 // the rows above and below, nil off the box
		if y > sb.Min.Y {
			up = c.mask[(y-sb.Min.Y-1)*bw:]
		}
		if y < sb.Max.Y-1 {
			down = c.mask[(y-sb.Min.Y+1)*bw:]
		}
		cellRow := cls[((y-win.Min.Y)/st)*gw:]
		for x := max(sb.Min.X, 0); x < min(sb.Max.X, w); x++ {
			xi := x - sb.Min.X
			if row[xi] == 0 {
				continue
			}
			cellRow[(x-win.Min.X)/st] = cellMask
			p := pix[ch*(y*w+x):]
			inner := xi > 0 && xi < bw-1 && row[xi-1] != 0 && row[xi+1] != 0 &&
				up != nil && up[xi] != 0 && down != nil && down[xi] != 0
			for k := range ch {
				all[k] += float64(p[k])
				if inner {
					ink[k] += float64(p[k])
				}
			}
			nAll++
			if inner {
				nInk++
			}
		}
	}
	if nInk < 4 {
		ink, nInk = all, nAll
	}
	if nInk == 0 {
		return figureParts{}
	}
	for k := range ch {
		ink[k] /= float64(nInk)
	}
	dr := 1 // cells of edge around the mask: 2 pixels at least
	if st == 1 {
		dr = 2
	}
	// The edge is the mask grown by dr cells (a square, grown along rows
	// and then along columns) less the mask.
	rows := make([]bool, gw*gh)
	for j := range gh {
		last := -1 << 30 // the last mask cell met on this row
		for i := range gw {
			if cls[j*gw+i] == cellMask {
				last = i
			}
			rows[j*gw+i] = i-last <= dr
		}
		last = 1 << 30
		for i := gw - 1; i >= 0; i-- {
			if cls[j*gw+i] == cellMask {
				last = i
			}
			rows[j*gw+i] = rows[j*gw+i] || last-i <= dr
		}
	}
	for i := range gw {
		last := -1 << 30 // the last row-grown cell met down this column
		for j := range gh {
			if rows[j*gw+i] {
				last = j
			}
			if j-last <= dr && cls[j*gw+i] == cellFree {
				cls[j*gw+i] = cellEdge
			}
		}
		last = 1 << 30
		for j := gh - 1; j >= 0; j-- {
			if rows[j*gw+i] {
				last = j
			}
			if last-j <= dr && cls[j*gw+i] == cellFree {
				cls[j*gw+i] = cellEdge
			}
		}
	}
	at := func(i, j int) []uint8 { return pix[ch*((win.Min.Y+j*st)*w+win.Min.X+i*st):] }
	in := func(r image.Rectangle, i, j int) bool {
		return image.Pt(win.Min.X+i*st, win.Min.Y+j*st).In(r)
	}
	// Ground: the median of the box's free cells (a figure's other parts
	// in its bays stay a minority of them).
	var ground [3][]float64
	for j := range gh {
		for i := range gw {
			if cls[j*gw+i] == cellFree && in(sb, i, j) {
				p := at(i, j)
				for k := range ch {
					ground[k] = append(ground[k], float64(p[k]))
				}
			}
		}
	}
	if len(ground[0]) < 4 {
		return figureParts{}
	}
	step := 0.0
	var gr [3]float64
	for k := range ch {
		slices.Sort(ground[k])
		gr[k] = ground[k][len(ground[k])/2]
		step += math.Abs(ink[k] - gr[k])
	}
	if step < ctxMinContrast*float64(ch) {
		return figureParts{}
	}
	// The free cells of the ink's tone, and how far each lies from it.
	on := make([]bool, gw*gh)
	tone := make([]float64, gw*gh)
	for j := range gh {
		for i := range gw {
			if cls[j*gw+i] != cellFree {
				continue
			}
			p, d := at(i, j), 0.0
			for k := range ch {
				d += math.Abs(float64(p[k]) - ink[k])
			}
			tone[j*gw+i] = d / step
			on[j*gw+i] = d <= ctxInk*step
		}
	}
	minCells := max(2, int(math.Ceil(ctxPartMin*float64(L)/float64(st))))
	// The region's own parts, and their median longer side.
	mask := make([]bool, gw*gh)
	for k, v := range cls {
		mask[k] = v == cellMask
	}
	var sides []int
	for _, b := range blobs(mask, gw, gh, nil, nil) {
		if b.n >= minCells {
			sides = append(sides, max(b.box.Dx(), b.box.Dy()))
		}
	}
	partSide := float64(max(gw, gh))
	if len(sides) > 0 {
		slices.Sort(sides)
		partSide = float64(sides[len(sides)/2])
	}
	// Parts of a figure: whole in the window, reaching near the region,
	// of the ink's own tone on the whole, and of the size of its parts.
	nearBox := sb.Inset(-int(math.Ceil(ctxNear * float64(L))))
	near := func(i, j int) bool { return in(nearBox, i, j) }
	inside := image.Rect(1, 1, gw-1, gh-1)
	out := figureParts{ok: true}
	for _, b := range blobs(on, gw, gh, tone, near) {
		side := float64(max(b.box.Dx(), b.box.Dy()))
		if !b.box.In(inside) || !b.near || b.mean > ctxTone ||
			side < float64(minCells) || side < 0.5*partSide || side > 2*partSide {
			continue
		}
		out.parts++
		if !in(sb, (b.box.Min.X+b.box.Max.X)/2, (b.box.Min.Y+b.box.Max.Y)/2) {
			out.outside++
		}
	}
	return out
}

// blob is a 4-connected component of a cell grid: its box in cells, its
// cell count, the mean of a value over its cells, and whether one of its
// cells is near the region.
type blob struct {
	box  image.Rectangle
	n    int
	mean float64
	near bool
}

// blobs returns the 4-connected components of on (a gw×gh grid), with
// the mean of val over each (val and near may be nil).
func blobs(on []bool, gw, gh int, val []float64, near func(i, j int) bool) []blob {
	seen := make([]bool, len(on))
	var stack []int
	var out []blob
	for start := range on {
		if !on[start] || seen[start] {
			continue
		}
		seen[start] = true
		stack = append(stack[:0], start)
		i0, j0, i1, j1 := gw, gh, -1, -1
		var b blob
		sum := 0.0
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			i, j := k%gw, k/gw
			i0, j0, i1, j1 = min(i0, i), min(j0, j), max(i1, i), max(j1, j)
			b.n++
			if val != nil {
				sum += val[k]
			}
			b.near = b.near || near != nil && near(i, j)
			for _, q := range [4][2]int{{i - 1, j}, {i + 1, j}, {i, j - 1}, {i, j + 1}} {
				if q[0] < 0 || q[1] < 0 || q[0] >= gw || q[1] >= gh {
					continue
				}
				if kk := q[1]*gw + q[0]; on[kk] && !seen[kk] {
					seen[kk] = true
					stack = append(stack, kk)
				}
			}
		}
		b.box = image.Rect(i0, j0, i1+1, j1+1)
		b.mean = sum / float64(b.n)
		out = append(out, b)
	}
	return out
}
