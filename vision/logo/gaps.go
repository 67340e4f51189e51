package logo

import (
	"math"
)

// This file holds the gap check of a shape match. The shape score compares
// silhouettes on a 64×64 raster, where a mark of several parts
// (Snapcraft's three shards, Redmine's arch of blocks, PlayStation's P and
// S) overlaps a blob in one piece about as well as its own print: the gaps
// between the parts are a few cells of the raster. But a print keeps its
// gaps in the photo: blur and JPEG may join two parts in the threshold cut
// a region comes from, yet the grey level along the gap still dips from
// the ink towards the ground. A blob of one ink (a fold of cloth whose
// outline happens to be the mark's hull) has ink there. So a match with a
// reference of several parts is read at the pose the matcher found: the
// photo's level on the reference's gaps must lie clearly off the ink,
// towards the ground around the region. It runs once per match worth
// reporting, after the edge check, and reads only the grey raster.

// gapPose is where a reference's view lies on a region's: the reference's
// view v, and the region's cell (x-dx, y-dy) under v's cell (x, y), in the
// region's round frame (aligned false) or its whitened frame.
type gapPose struct {
	v       *shapeView
	dx, dy  int
	aligned bool
	score   float64 // the shape score of v at the shift
}

// bestPose returns the view of r and the shift that fit region c best, as
// the matcher compares them: an elongated reference's aligned view in the
// flip that faces c (its small renderings are not searched: their gaps
// lie where the aligned view's do, give or take a cell; its tapered views
// are, for the gap check only, by gapViewPose), a round one's view at the
// angles roundAngles allows; ok is false when neither applies. The grey
// alignment starts from it (refPose).
func bestPose(c *candidate, r *prepared) (p gapPose, ok bool) {
	p.score = -1
	try := func(shifts *shiftSet, v *shapeView, aligned bool) {
		if q := shiftPose(shifts, v, aligned); q.score > p.score {
			p = q
		}
	}
	if r.aniso {
		flip, ok := alignedFlip(c, r)
		if !ok {
			return p, false
		}
		try(c.alignedShifted(), &r.aligned[flip], true)
		return p, p.score >= 0
	}
	lo, hi, ok := roundAngles(c, r)
	if !ok {
		return p, false
	}
	for i := lo; i <= hi; i++ {
		try(c.shifted(), &r.views[i], false)
	}
	return p, p.score >= 0
}

// shiftPose returns the shift of the candidate views in shifts at which
// view v fits best, and its score.
func shiftPose(shifts *shiftSet, v *shapeView, aligned bool) gapPose {
	p := gapPose{score: -1}
	for i := range shiftN {
		if s := shapeScore(shifts.at(i), v); s > p.score {
			const n = 2*maxShift + 1
			p = gapPose{v: v, dx: i%n - maxShift, dy: i/n - maxShift, aligned: aligned, score: s}
		}
	}
	return p
}

// gapViewPose is bestPose for the gap check: an elongated reference's
// tapered view (taper.go) takes the aligned view's place where the region
// overlaps it best and it fits better, less taperCost, as the matcher
// compares them (scoreSearch). Under perspective the aligned view's gaps
// lie cells off the photo's at the far end of a long mark: a Fila of
// 382 px at 7% perspective, matched at 0.90 through a tapered view, read
// ink on the aligned view's gaps (level 0.03) and was cut by GapMin.
func gapViewPose(c *candidate, r *prepared, cfg Config) (gapPose, bool) {
	p, ok := bestPose(c, r)
	if !ok || !p.aligned {
		return p, ok
	}
	flip := 0
	if p.v == &r.aligned[1] {
		flip = 1
	}
	if bi := nearestTapered(c, r, flip, cfg); bi >= 0 {
		if q := shiftPose(c.alignedShifted(), &r.tapered[bi][flip], true); q.score-taperCost > p.score {
			p = q
		}
	}
	return p, true
}

// gapCells returns the cells of v that lie off its mask between two of its
// parts: walking from the cell both ways along a row, a column or a
// diagonal meets one part on one side and another on the other, each
// within gapReach cells. The parts are the 8-connected components holding
// at least partsMinShare of its cells. Bays of one part and the open
// mouths of gaps are not between two parts.
func gapCells(v *shapeView) [][2]int {
	label, _ := gridLabels(&v.mask, max(2, int(math.Ceil(partsMinShare*float64(v.maskN)))))
	// hit is the part first met from (x, y) walking in direction (dx,
	// dy), within gapReach cells, or 0.
	hit := func(x, y, dx, dy int) int16 {
		for k := 1; k <= gapReach; k++ {
			xx, yy := x+k*dx, y+k*dy
			if xx < 0 || yy < 0 || xx >= gridN || yy >= gridN {
				return 0
			}
			if v.mask[yy]>>xx&1 != 0 {
				return max(label[yy][xx], 0)
			}
		}
		return 0
	}
	var out [][2]int
	for y := range gridN {
		for x := range gridN {
			if v.mask[y]>>x&1 != 0 {
				continue
			}
			for _, d := range [4][2]int{{1, 0}, {0, 1}, {1, 1}, {1, -1}} {
				a, b := hit(x, y, d[0], d[1]), hit(x, y, -d[0], -d[1])
				if a > 0 && b > 0 && a != b {
					out = append(out, [2]int{x, y})
					break
				}
			}
		}
	}
	return out
}

// gridLabels labels g's 8-connected components 1, 2, ... in scan order and
// returns the labels and how many there are. A component of fewer than
// least cells is a speck: its cells are labelled -1 and it is not counted.
func gridLabels(g *bitgrid, least int) ([gridN][gridN]int16, int) {
	var label [gridN][gridN]int16
	next := int16(0)
	var stack, cells [][2]int
	for y0 := range gridN {
		for x0 := range gridN {
			if g[y0]>>x0&1 == 0 || label[y0][x0] != 0 {
				continue
			}
			next++
			label[y0][x0] = next
			stack = append(stack[:0], [2]int{x0, y0})
			cells = cells[:0]
			for len(stack) > 0 {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				cells = append(cells, p)
				for y := max(0, p[1]-1); y <= min(gridN-1, p[1]+1); y++ {
					for x := max(0, p[0]-1); x <= min(gridN-1, p[0]+1); x++ {
						if g[y]>>x&1 != 0 && label[y][x] == 0 {
							label[y][x] = next
							stack = append(stack, [2]int{x, y})
						}
					}
				}
			}
			if len(cells) < least {
				for _, p := range cells {
					label[p[1]][p[0]] = -1
				}
				next--
			}
		}
	}
	return label, int(next)
}

// gapCellPx is the fewest grey pixels a cell must span for the gaps to
// be read.
const gapCellPx = 1.0

// gapMinContrast is the least step of grey, between a region's ink and
// its ground, at which the level of its gaps can be read; on a ground
// that varies (fur, foliage) the step must also be twice the ground's
// standard deviation, or the gaps' level is the texture's.
const gapMinContrast = 8.0

// partsMinShare is the least share of a view's cells a part must hold to
// count: specks of texture or of a stroke broken by the raster are not
// parts.
const partsMinShare = 0.03

// gapReach is how far, in cells, a gap cell may lie from each of the two
// parts it separates.
const gapReach = 2

// gapLevel returns where the photo's level on reference r's gaps lies
// between the region's ink (0) and the ground around it (1), at the pose
// the matcher found (gapViewPose); ok is false when r has no gaps at that
// pose or the region's ink and ground cannot be told apart. g and col are
// the rasters grey and colour regions are cut from.
func gapLevel(c *candidate, r *prepared, g grayImage, col rgbImage, cfg Config) (level float64, ok bool) {
	p, ok := gapViewPose(c, r, cfg)
	if !ok {
		return 0, false
	}
	return gapLevelAt(c, p, g, col)
}

// gapLevelAt is gapLevel at pose p.
func gapLevelAt(c *candidate, p gapPose, g grayImage, col rgbImage) (level float64, ok bool) {
	gaps := gapCells(p.v)
	if len(gaps) == 0 {
		return 0, false
	}
	// The gaps are read on the grey raster, at the photo's own
	// resolution, whichever raster the region was cut from: the colour
	// raster is half as fine and smoothed, which closes gaps a print
	// keeps. A colour region is mapped there (sx, sy: grey pixels per
	// pixel of its raster); where its ink and ground have one grey level
	// (a mark of another hue only) there is nothing to read.
	pix, w, h := g.pix, g.w, g.h
	if len(pix) < w*h || w == 0 {
		return 0, false
	}
	sx, sy := 1.0, 1.0
	if c.colour {
		if col.w == 0 || col.h == 0 {
			return 0, false
		}
		sx, sy = float64(w)/float64(col.w), float64(h)/float64(col.h)
	}
	// The region's frame, cell → pixel of its raster (see rasterize and
	// rasterizeAligned): offset from the centroid = M·(cell centre − grid
	// centre)·cellSize.
	M, perCell := regionFrame(c, p.aligned) // perCell: pixels of its raster a cell spans
	// A cell finer than a grey pixel reads the pixel its neighbours
	// read: the gaps of such a view are under a pixel wide in the photo.
	perCell *= math.Sqrt(sx * sy)
	if perCell < gapCellPx {
		return 0, false
	}
	// read is the grey level under the centre of cell (x, y), false off
	// the picture.
	read := func(x, y int) (float64, bool) {
		gx := (float64(x) + 0.5 - gridN/2) * cellSize
		gy := (float64(y) + 0.5 - gridN/2) * cellSize
		px := int(math.Floor((float64(c.src.Min.X) + c.mo.cx + M[0]*gx + M[1]*gy) * sx))
		py := int(math.Floor((float64(c.src.Min.Y) + c.mo.cy + M[2]*gx + M[3]*gy) * sy))
		if px < 0 || py < 0 || px >= w || py >= h {
			return 0, false
		}
		return float64(pix[py*w+px]), true
	}
	// Ink: the region's own cells away from its edge; ground: a ring of
	// cells two to three cells outside the region and its bays.
	v := &c.view
	if p.aligned {
		v = c.aligned
	}
	inner := eroded(&v.mask)
	shape := v.mask
	for y := range gridN {
		shape[y] |= v.conc[y]
	}
	near := shape.dilated()
	near = near.dilated()
	ring := near.dilated()
	var ink, out, out2, gap, nInk, nOut, nGap float64
	for y := range gridN {
		for x := range gridN {
			b := uint64(1) << x
			if inner[y]&b != 0 {
				if l, ok := read(x, y); ok {
					ink, nInk = ink+l, nInk+1
				}
			} else if ring[y]&b != 0 && near[y]&b == 0 {
				if l, ok := read(x, y); ok {
					out, out2, nOut = out+l, out2+l*l, nOut+1
				}
			}
		}
	}
	for _, q := range gaps {
		if l, ok := read(q[0]-p.dx, q[1]-p.dy); ok {
			gap, nGap = gap+l, nGap+1
		}
	}
	if nInk < 4 || nOut < 4 || nGap < 1 {
		return 0, false
	}
	ink, out, gap = ink/nInk, out/nOut, gap/nGap
	spread := math.Sqrt(math.Max(out2/nOut-out*out, 0))
	if math.Abs(out-ink) < max(gapMinContrast, 2*spread) {
		return 0, false
	}
	return (gap - ink) / (out - ink), true
}

// eroded is g less its cells with an off 4-neighbour.
func eroded(g *bitgrid) bitgrid {
	var out bitgrid
	for y := 1; y < gridN-1; y++ {
		w := g[y]
		out[y] = w & (w << 1) & (w >> 1) & g[y-1] & g[y+1]
	}
	return out
}
