package logo

import (
	"encoding/binary"
	"math"
	"math/bits"

	"counterlens/vision/internal/runs"
)

// This file holds the pure-Go half of the shape route: a binary mark (one or
// more connected components) is normalised into a 64x64 bit raster in a frame
// fixed by its own moments (origin at the centroid, unit = the RMS radius),
// which makes it invariant to translation, scale, colour and polarity. The
// remaining rotation is searched on the reference side, whose rasters are
// precomputed for every angle in [-maxAngle, maxAngle].

const (
	gridN = 64
	// gridExtent is the half-width of the raster in RMS radii. A 7:1
	// wordmark reaches 1.75 radii, a disc 1.41, a swoosh's tips about 2.
	gridExtent = 2.4
	cellSize   = 2 * gridExtent / gridN
	angleStep  = 3.0
	maxAngle   = 36.0
	numAngles  = int(2*maxAngle/angleStep) + 1
	// maxShift is the translation search, in cells, during refinement.
	maxShift = 2
)

// bitgrid is a gridN x gridN binary raster, one uint64 per row, bit x = column x.
type bitgrid [gridN]uint64

func (g *bitgrid) count() int {
	n := 0
	for _, w := range g {
		n += bits.OnesCount64(w)
	}
	return n
}

// shifted returns g moved by dx columns and dy rows, bits falling off dropped.
func (g *bitgrid) shifted(dx, dy int) bitgrid {
	var out bitgrid
	g.shiftInto(&out, dx, dy)
	return out
}

// shiftInto writes g moved by dx columns and dy rows into out (not g), as
// shifted returns it, without a grid on the stack to copy.
func (g *bitgrid) shiftInto(out *bitgrid, dx, dy int) {
	l, r := uint(max(dx, 0)), uint(max(-dx, 0))
	for y := range gridN {
		sy := y - dy
		if sy < 0 || sy >= gridN {
			out[y] = 0
			continue
		}
		out[y] = g[sy] << l >> r
	}
}

// hash8 is an 8x8 summary of g (a block is on when at least a quarter of it
// is), used to discard hopeless pairs with one popcount.
func (g *bitgrid) hash8() uint64 {
	var h uint64
	for by := range 8 {
		for bx := range 8 {
			n := 0
			for y := by * 8; y < by*8+8; y++ {
				n += bits.OnesCount64((g[y] >> uint(bx*8)) & 0xff)
			}
			if n >= 16 {
				h |= 1 << uint(by*8+bx)
			}
		}
	}
	return h
}

// concavity returns hull(g) minus g: the holes and bays that make a mark
// distinctive. A disc or a plain rectangle has almost none, a swoosh or a
// wordmark a lot.
func (g *bitgrid) concavity() bitgrid {
	// Convex hull of the row extremes (Andrew's monotone chain).
	// pts, the hull and the sort's scratch live on the stack: a view
	// allocated 6 KB for them on the heap.
	var ptsBuf [2 * gridN][2]float64
	var hullBuf [4 * gridN][2]float64
	pts := ptsBuf[:0]
	for y := range gridN {
		w := g[y]
		if w == 0 {
			continue
		}
		lo := bits.TrailingZeros64(w)
		hi := 63 - bits.LeadingZeros64(w)
		pts = append(pts, [2]float64{float64(lo), float64(y)}, [2]float64{float64(hi), float64(y)})
	}
	var out bitgrid
	if len(pts) == 0 {
		return out
	}
	// Rows outside the hull's span cross none of its edges (pts come in
	// order of y; convexHull reorders them).
	y0, y1 := int(pts[0][1]), int(pts[len(pts)-1][1])
	hull := convexHull(pts, hullBuf[:0])
	var lo, hi [gridN]float64
	hullSpans(hull, y0, y1, &lo, &hi)
	for y := y0; y <= y1; y++ {
		if lo[y] > hi[y] {
			continue
		}
		l, h := int(math.Ceil(lo[y]-1e-9)), int(math.Floor(hi[y]+1e-9))
		l, h = max(l, 0), min(h, gridN-1)
		var row uint64
		if l <= h {
			// Bits l..h.
			row = (^uint64(0) >> uint(gridN-1-h)) &^ (1<<uint(l) - 1)
		}
		out[y] = row &^ g[y]
	}
	return out
}

// hullSpans sets lo[y] and hi[y], for the rows y0..y1 that hull's
// vertices span, to the least and greatest column where row y meets
// hull's edges (lo[y] > hi[y] for a row it misses). It walks each edge
// over the rows it spans, where testing every row against every edge cost
// rows times edges; a row's ends are the same values (the same
// interpolation of the same edges, and min and max do not depend on
// order: the columns are never NaN or a negative zero), so the spans are
// the very same (TestRegionKernelsMatchDefinition).
func hullSpans(hull [][2]float64, y0, y1 int, lo, hi *[gridN]float64) {
	for y := y0; y <= y1; y++ {
		lo[y], hi[y] = math.Inf(1), math.Inf(-1)
	}
	n := len(hull)
	for i := range n {
		a, b := hull[i], hull[(i+1)%n]
		ya, yb := int(a[1]), int(b[1])
		if ya == yb {
			lo[ya] = min(lo[ya], a[0], b[0])
			hi[ya] = max(hi[ya], a[0], b[0])
			continue
		}
		for y := min(ya, yb); y <= max(ya, yb); y++ {
			t := (float64(y) - a[1]) / (b[1] - a[1])
			x := a[0] + t*(b[0]-a[0])
			lo[y], hi[y] = min(lo[y], x), max(hi[y], x)
		}
	}
}

// convexHull returns the hull of pts (reordered), appended to h[:0].
func convexHull(pts, h [][2]float64) [][2]float64 {
	// pts come sorted by y then x in pairs; sort by x then y for the chain.
	sortCells(pts)
	cross := func(o, a, b [2]float64) float64 {
		return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
	}
	h = h[:0]
	for _, p := range pts {
		for len(h) >= 2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	lower := len(h) + 1
	for i := len(pts) - 2; i >= 0; i-- {
		p := pts[i]
		for len(h) >= lower && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
			h = h[:len(h)-1]
		}
		h = append(h, p)
	}
	if len(h) > 1 {
		h = h[:len(h)-1]
	}
	return h
}

// sortCells sorts p, grid cells in order of y, by x then y: a stable
// bucket sort by column (p's y order is kept within a column), which gives
// what sorting by x, then y gives, without comparisons.
func sortCells(p [][2]float64) {
	var count [gridN + 1]int
	for _, q := range p {
		count[int(q[0])+1]++
	}
	for i := 1; i <= gridN; i++ {
		count[i] += count[i-1]
	}
	var buf [2 * gridN][2]float64
	var tmp [][2]float64
	if len(p) <= len(buf) {
		tmp = buf[:len(p)]
	} else {
		tmp = make([][2]float64, len(p))
	}
	for _, q := range p {
		tmp[count[int(q[0])]] = q
		count[int(q[0])]++
	}
	copy(p, tmp)
}

// moments are the shape statistics of a binary mask, in its pixel frame.
type moments struct {
	area   float64
	cx, cy float64
	// radius is the RMS distance of the mask's pixels from the centroid.
	radius float64
	// ecc is λmin/λmax of the covariance, 1 for isotropic shapes.
	ecc float64
	// theta is the principal-axis angle in degrees, (-90, 90].
	theta float64
	// l1 >= l2 are the covariance eigenvalues.
	l1, l2 float64
}

// maskSource is a binary mask: w*h bytes, non-zero on.
type maskSource struct {
	w, h int
	pix  []uint8
}

// momentSums are a mask's pixel sums: count, Σx, Σy, Σx², Σy², Σxy.
type momentSums struct{ n, sx, sy, sxx, syy, sxy float64 }

// addRow adds row y's sums: rn pixels on, rx their Σx, rxx their Σx².
func (s *momentSums) addRow(y int, rn, rx, rxx float64) {
	fy := float64(y)
	s.n += rn
	s.sx += rx
	s.sxx += rxx
	s.sy += rn * fy
	s.syy += rn * fy * fy
	s.sxy += rx * fy
}

// moments turns the sums into a mask's moments; false for fewer than four
// pixels or no extent.
func (s *momentSums) moments() (moments, bool) {
	n := s.n
	if n < 4 {
		return moments{}, false
	}
	cx, cy := s.sx/n, s.sy/n
	mu20 := s.sxx/n - cx*cx + 1.0/12 // + the pixel's own extent
	mu02 := s.syy/n - cy*cy + 1.0/12
	mu11 := s.sxy/n - cx*cy
	tr := mu20 + mu02
	det := mu20*mu02 - mu11*mu11
	disc := math.Sqrt(math.Max(tr*tr/4-det, 0))
	l1, l2 := tr/2+disc, tr/2-disc
	if l1 <= 0 {
		return moments{}, false
	}
	return moments{
		area:   n,
		cx:     cx + 0.5,
		cy:     cy + 0.5,
		radius: math.Sqrt(tr),
		ecc:    math.Max(l2, 0) / l1,
		theta:  0.5 * math.Atan2(2*mu11, mu20-mu02) * 180 / math.Pi,
		l1:     l1,
		l2:     math.Max(l2, 1.0/12),
	}, true
}

// measure returns the moments of m. It reads m's rows eight pixels at a
// time (see rowSums).
func measure(m maskSource) (moments, bool) {
	var s momentSums
	for y := range m.h {
		if in, ix, ixx := rowSums(m.pix[y*m.w : (y+1)*m.w]); in != 0 {
			s.addRow(y, float64(in), float64(ix), float64(ixx))
		}
	}
	return s.moments()
}

// rowSums returns a mask row's count of pixels on, their Σx and their Σx²,
// in integers: every partial sum is an integer far below 2^53, so the
// float sums they replace were exact and these give the very same values.
// The row is read eight pixels at a time: a word with no pixel on is
// passed with one test, a word of eight pixels on adds its sums in closed
// form, and the others add the pixels on one by one (found with the carry-free
// byte arithmetic of runs.Cut, runs.NonZero8).
func rowSums(row []uint8) (in, ix, ixx int) {
	const allOn = 0x8080808080808080 // NonZero8 of a word of eight pixels on
	x := 0
	for ; x+8 <= len(row); x += 8 {
		nz := runs.NonZero8(binary.LittleEndian.Uint64(row[x:]))
		switch nz {
		case 0:
		case allOn:
			// Σ (x+j) and Σ (x+j)² over j = 0..7.
			in += 8
			ix += 8*x + 28
			ixx += 8*x*x + 56*x + 140
		default:
			for ; nz != 0; nz &= nz - 1 {
				xj := x + bits.TrailingZeros64(nz)>>3
				in++
				ix += xj
				ixx += xj * xj
			}
		}
	}
	for ; x < len(row); x++ {
		if row[x] != 0 {
			in++
			ix += x
			ixx += x * x
		}
	}
	return in, ix, ixx
}

// rasterize renders mask m, rotated by angle degrees about its centroid and
// scaled by its RMS radius, into the canonical grid.
func rasterize(m maskSource, mo moments, angle float64) bitgrid {
	a := angle * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	k := 1 / mo.radius
	return rasterizeLinear(m, mo, [4]float64{k * cos, -k * sin, k * sin, k * cos})
}

// rasterizeAligned renders m in its principal frame, whitened: the major
// axis horizontal and each axis scaled by its own standard deviation. Thin
// elongated marks (wordmarks) then fill the grid instead of a few rows, and
// mild perspective or aspect changes drop out. flip turns it by 180°.
func rasterizeAligned(m maskSource, mo moments, flip bool) bitgrid {
	a := -mo.theta * math.Pi / 180
	if flip {
		a += math.Pi
	}
	cos, sin := math.Cos(a), math.Sin(a)
	k1, k2 := 1/math.Sqrt(mo.l1)/alignedSpread, 1/math.Sqrt(mo.l2)/alignedSpread
	return rasterizeLinear(m, mo, [4]float64{k1 * cos, -k1 * sin, k2 * sin, k2 * cos})
}

// alignedSpread is how many standard deviations of the whitened frame make
// one RMS-radius unit of the grid (±1.73 σ is the end of a rectangle).
const alignedSpread = 0.85

// rasterizeLinear renders m through the linear map A (pixel offset from the
// centroid → grid units of RMS radius). A cell is on when at least half of
// the source pixels falling into it are on; cells smaller than a pixel sample
// the pixel under their centre, so large and tiny masks are rendered alike.
// Very large masks are read on a sparser lattice.
func rasterizeLinear(m maskSource, mo moments, A [4]float64) bitgrid {
	if A[1] == 0 && A[2] == 0 {
		return rasterizeAxes(m, mo, A)
	}
	var on, tot [gridN * gridN]uint16
	half := float64(gridN) / 2
	// Grid units per pixel along the least-stretched axis.
	det := A[0]*A[3] - A[1]*A[2]
	fine := math.Sqrt(math.Abs(det)) / cellSize
	// cell size in pixels, roughly: 1/fine
	if fine < 1 {
		step := max(1, int(1/fine/3))
		a0, a1, a2, a3 := A[0]/cellSize, A[1]/cellSize, A[2]/cellSize, A[3]/cellSize
		// The column terms of the map, once per column instead of once a
		// pixel (the same products, so the same cells).
		nc := (m.w + step - 1) / step
		cols := make([]float64, 2*nc)
		for c := range nc {
			dx := float64(c*step) + 0.5 - mo.cx
			cols[2*c], cols[2*c+1] = a0*dx, a2*dx
		}
		for y := 0; y < m.h; y += step {
			dy := float64(y) + 0.5 - mo.cy
			ru, rv := a1*dy, a3*dy
			row := m.pix[y*m.w : (y+1)*m.w]
			// Only the columns whose cells lie on the grid (see gridSpan).
			lo, hi := gridSpan(cols, 0, ru, 0, nc, a0 >= 0)
			lo, hi = gridSpan(cols, 1, rv, lo, hi, a2 >= 0)
			for c := lo; c < hi; c++ {
				x := c * step
				u := cols[2*c] + ru + half
				v := cols[2*c+1] + rv + half
				if u < 0 || v < 0 || u >= gridN || v >= gridN {
					continue
				}
				i := int(v)*gridN + int(u)
				tot[i]++
				if row[x] != 0 {
					on[i]++
				}
			}
		}
	}
	return castCells(m, mo, A, &on, &tot)
}

// gridSpan narrows [lo, hi) to the sampled columns c whose grid
// coordinate cols[2c+k] + r + gridN/2 lies in [0, gridN), as
// rasterizeLinear forms it. That coordinate is monotone in c (a pixel's
// offset grows with its column, times a constant of one sign, plus a
// constant, each rounded, and rounding keeps order): non-decreasing when
// inc is set, non-increasing otherwise. So the columns on the grid are one
// run, found by bisection, and the others are never read; the cells and
// counts are the same.
func gridSpan(cols []float64, k int, r float64, lo, hi int, inc bool) (int, int) {
	return monotoneRun(cols, 2, k, r, float64(gridN)/2, gridN, inc, lo, hi)
}

// monotoneRun narrows [lo, hi) to the indices i whose coordinate
// vals[stride*i+k] + a + b (summed in that order, as the callers form
// it) lies in [0, lim), the coordinate being non-decreasing in i when inc
// is set and non-increasing otherwise: one run, found by bisection.
func monotoneRun(vals []float64, stride, k int, a, b, lim float64, inc bool, lo, hi int) (int, int) {
	// first returns the first i in [lo, hi) where the coordinate is at
	// least t (inc) or under t (!inc), or hi: a predicate false then true.
	first := func(t float64) int {
		i, j := lo, hi
		for i < j {
			m := int(uint(i+j) >> 1)
			f := vals[stride*m+k] + a + b
			if (inc && f >= t) || (!inc && f < t) {
				j = m
			} else {
				i = m + 1
			}
		}
		return i
	}
	if inc {
		return first(0), first(lim)
	}
	return first(lim), first(0)
}

// castCells makes the grid from the pixels sampled into each cell (on of
// tot), reading the pixel under the centre of the cells none fell into.
func castCells(m maskSource, mo moments, A [4]float64, on, tot *[gridN * gridN]uint16) bitgrid {
	half := float64(gridN) / 2
	det := A[0]*A[3] - A[1]*A[2]
	// Inverse map for cells no pixel fell into.
	i0, i1, i2, i3 := A[3]/det*cellSize, -A[1]/det*cellSize, -A[2]/det*cellSize, A[0]/det*cellSize
	// The column terms of the inverse map, once per column instead of once
	// a cell: the same products, added in the same order, so the same
	// cells.
	var cu0, cu2 [gridN]float64
	for cx := range gridN {
		u := float64(cx) + 0.5 - half
		cu0[cx], cu2[cx] = i0*u, i2*u
	}
	fw, fh := float64(m.w), float64(m.h)
	var g bitgrid
	for cy := range gridN {
		v := float64(cy) + 0.5 - half
		rv1, rv3 := i1*v, i3*v
		ons, tots := on[cy*gridN:(cy+1)*gridN], tot[cy*gridN:(cy+1)*gridN]
		// The cells whose centre falls in the mask are one run (see
		// maskSpan), found at the row's first cell no pixel fell into:
		// the others are never mapped back.
		lo, hi := 0, -1
		var row uint64
		for cx := range gridN {
			if t := tots[cx]; t > 0 {
				if n := ons[cx]; 2*n >= t && n > 0 {
					row |= 1 << uint(cx)
				}
				continue
			}
			if hi < 0 {
				lo, hi = maskSpan(&cu0, rv1, mo.cx, fw, i0 >= 0, 0, gridN)
				lo, hi = maskSpan(&cu2, rv3, mo.cy, fh, i2 >= 0, lo, hi)
			}
			if cx < lo || cx >= hi {
				continue
			}
			sx := cu0[cx] + rv1 + mo.cx
			sy := cu2[cx] + rv3 + mo.cy
			// floor(s) lies in [0, n) exactly when s does, and there
			// the conversion's truncation is the floor.
			if !(sx >= 0 && sy >= 0 && sx < fw && sy < fh) {
				continue
			}
			if m.pix[int(sy)*m.w+int(sx)] != 0 {
				row |= 1 << uint(cx)
			}
		}
		g[cy] = row
	}
	return g
}

// maskSpan narrows [lo, hi) to the cells cx whose source coordinate
// col[cx] + r + off, as castCells forms it, lies in [0, lim). That
// coordinate is monotone in cx (a cell's offset grows with its column,
// times a constant of one sign, plus constants, each rounded, and rounding
// keeps order): non-decreasing when inc is set, non-increasing otherwise.
// So the cells inside are one run (monotoneRun).
func maskSpan(col *[gridN]float64, r, off, lim float64, inc bool, lo, hi int) (int, int) {
	return monotoneRun(col[:], 1, 0, r, off, lim, inc, lo, hi)
}

// shapeView is a mask seen at one angle: its raster, concavities, their
// one-cell dilations and an 8x8 hash, with the cell counts and row spans the
// overlap kernels need.
type shapeView struct {
	mask, conc   bitgrid
	maskD, concD bitgrid
	hash         uint64
	maskN, concN int
	// maskRows and concRows are the first and last rows of mask and conc
	// holding a cell (first > last when empty).
	maskRows, concRows rowSpan
}

func newShapeView(g bitgrid) shapeView {
	v := shapeView{mask: g, conc: g.concavity(), hash: g.hash8()}
	v.fillDilated()
	return v
}

// fillDilated fills what follows from mask and conc: their dilations,
// counts and row spans.
func (v *shapeView) fillDilated() {
	v.maskD = v.mask.dilated()
	v.concD = v.conc.dilated()
	v.maskN, v.concN = v.mask.count(), v.conc.count()
	v.maskRows, v.concRows = v.mask.rows(), v.conc.rows()
}

// rowSpan is a range of grid rows, first and last included.
type rowSpan struct{ first, last int }

// rows returns the span of g's non-empty rows.
func (g *bitgrid) rows() rowSpan {
	s := rowSpan{first: gridN, last: -1}
	for y, w := range g {
		if w != 0 {
			s.first = min(s.first, y)
			s.last = y
		}
	}
	return s
}

// near returns the rows where a cell of one grid can lie within one cell
// of the other's: outside them a∧b, a∧dilated(b) and b∧dilated(a) are empty.
func (s rowSpan) near(o rowSpan) (first, last int) {
	return max(0, max(s.first, o.first)-1), min(gridN-1, min(s.last, o.last)+1)
}

// dilated returns g grown by one cell in the 8-neighbourhood.
func (g *bitgrid) dilated() bitgrid {
	var h bitgrid
	for y := range gridN {
		w := g[y]
		h[y] = w | w<<1 | w>>1
	}
	var out bitgrid
	for y := range gridN {
		out[y] = h[y]
		if y > 0 {
			out[y] |= h[y-1]
		}
		if y < gridN-1 {
			out[y] |= h[y+1]
		}
	}
	return out
}

// tolerantF is the share of on-cells of a and b that lie within one cell of
// the other's: an F-measure that forgives a stroke a cell thicker or
// thinner, or a one-cell misregistration, which plain IoU punishes hard on
// thin wordmarks. an and bn are the cell counts of a and b, and rows the
// only rows where a cell of one can be near one of the other.
func tolerantF(a, aD, b, bD *bitgrid, an, bn, first, last int) float64 {
	if an+bn == 0 {
		return 0
	}
	hit := 0
	if first <= last {
		// Slices of one length, so that the loop runs without bounds
		// checks (a third faster than indexing the grids).
		as, bs := a[first:last+1], b[first:last+1]
		aDs, bDs := aD[first:last+1], bD[first:last+1]
		bs, aDs, bDs = bs[:len(as)], aDs[:len(as)], bDs[:len(as)]
		for i, x := range as {
			hit += bits.OnesCount64(x&bDs[i]) + bits.OnesCount64(bs[i]&aDs[i])
		}
	}
	return float64(hit) / float64(an+bn)
}

// maskTolerantF is tolerantF of the two views' masks.
func maskTolerantF(c, r *shapeView) float64 {
	first, last := c.maskRows.near(r.maskRows)
	return tolerantF(&c.mask, &c.maskD, &r.mask, &r.maskD, c.maskN, r.maskN, first, last)
}

// agreement is 0.5·IoU + 0.5·tolerantF of a and b (see tolerantF), in one
// pass over the rows where they can meet: the IoU's union is an+bn minus the
// intersection, so only the crossings are counted.
func agreement(a, aD, b, bD *bitgrid, an, bn, first, last int) float64 {
	if an+bn == 0 {
		return 0
	}
	in, hit := crossings(a, aD, b, bD, first, last)
	return 0.5*(float64(in)/float64(an+bn-in)) + 0.5*(float64(hit)/float64(an+bn))
}

// crossings returns, over rows first to last, the cells of a∧b (in) and
// of a∧dilated(b) and b∧dilated(a) (hit), as agreement counts them.
func crossings(a, aD, b, bD *bitgrid, first, last int) (in, hit int) {
	if first > last {
		return 0, 0
	}
	// Slices of one length, so that the loop runs without bounds checks
	// (a third faster than indexing the grids).
	as, bs := a[first:last+1], b[first:last+1]
	aDs, bDs := aD[first:last+1], bD[first:last+1]
	bs, aDs, bDs = bs[:len(as)], aDs[:len(as)], bDs[:len(as)]
	for i, x := range as {
		y := bs[i]
		in += bits.OnesCount64(x & y)
		hit += bits.OnesCount64(x&bDs[i]) + bits.OnesCount64(y&aDs[i])
	}
	return in, hit
}

// shapeScore compares a candidate with a reference view: the mean of the
// tolerant overlap of the masks and of their concavities, each computed
// strictly (IoU) and with a one-cell tolerance. The concavity term is what
// tells a swoosh from a banana or a wordmark from a bar: plain convex blobs
// score at most 0.5 against anything.
func shapeScore(c, r *shapeView) float64 {
	m, k := shapeTerms(c, r)
	return combine(m, k)
}

// shapeTerms returns the silhouette and concavity agreement.
func shapeTerms(c, r *shapeView) (m, k float64) {
	first, last := c.maskRows.near(r.maskRows)
	m = agreement(&c.mask, &c.maskD, &r.mask, &r.maskD, c.maskN, r.maskN, first, last)
	first, last = c.concRows.near(r.concRows)
	k = agreement(&c.conc, &c.concD, &r.conc, &r.concD, c.concN, r.concN, first, last)
	return m, k
}

// combine merges the two terms with equal weight (a min-based mix was
// tried on the dev set and lost recall without gaining precision).
func combine(m, k float64) float64 {
	return 0.5 * (m + k)
}

// wrap90 maps an angle difference in degrees to (-90, 90].
func wrap90(a float64) float64 {
	for a <= -90 {
		a += 180
	}
	for a > 90 {
		a -= 180
	}
	return a
}

func angleAt(i int) float64 { return -maxAngle + float64(i)*angleStep }

// radBins is the number of rings of a radial profile.
const radBins = 12

// radial is a rotation-invariant summary of a view: the share of its mask
// cells, and of its concavity cells (relative to the mask), in each ring
// around the centroid. Comparing two costs a few nanoseconds, against the
// hundreds of a raster overlap at every search angle, so it shortlists the
// references worth the raster comparison.
type radial [2 * radBins]float32

// ringRows[k][y] selects the cells of row y in ring k.
var ringRows = func() (t [radBins][gridN]uint64) {
	half := float64(gridN) / 2
	for y := range gridN {
		for x := range gridN {
			r := math.Hypot(float64(x)+0.5-half, float64(y)+0.5-half) / half // 1 = grid edge
			k := min(radBins-1, int(r*radBins))
			t[k][y] |= 1 << uint(x)
		}
	}
	return t
}()

func radialOf(v *shapeView) radial {
	var out radial
	n := float32(max(1, v.maskN))
	for k := range radBins {
		var m, c int
		for y := range gridN {
			m += bits.OnesCount64(v.mask[y] & ringRows[k][y])
			c += bits.OnesCount64(v.conc[y] & ringRows[k][y])
		}
		out[k] = float32(m) / n
		out[radBins+k] = float32(c) / n
	}
	return out
}

// radialDist is the L1 distance of two radial profiles. A difference's
// absolute value is its bits without the sign, with no branch to
// mispredict: the same value as negating the negative ones (a difference
// is never NaN, and x-x is +0).
func radialDist(a, b *radial) float64 {
	var s float32
	for i := range a {
		s += math.Float32frombits(math.Float32bits(a[i]-b[i]) &^ (1 << 31))
	}
	return float64(s)
}
