package logo

import (
	"math"
	"math/bits"
)

// This file holds the second verification of a reported shape match, at a
// finer raster than the matching one. The matcher compares 64x64 rasters
// with a one-cell tolerance, which is what lets a blurred, tilted mark
// match its reference; it also lets a generic reference (a ring, an
// S-curve, a shield) fit a shape that is only roughly like it. So a match
// worth reporting is drawn again, region and reference, on a fineN x fineN
// raster of the same extent (a cell is half a matching cell), the region
// brought onto the reference by the pose the matcher found (rotation and
// scale from the moments, or the whitened principal frame of a wordmark),
// refined by a small search over angle and shift, and the two outlines are
// compared: how far each outline lies from the other one (see fineFit). A
// real mark's outline follows its reference's everywhere, to a cell or
// two; a generic mark's strays by several somewhere. It costs a few
// renders of one region, once per match worth reporting, not per region
// and reference.

const (
	fineN = 128
	fineW = fineN / 64
	// fineCell is a fine cell's side in RMS radii (the matching raster's
	// extent).
	fineCell = 2 * gridExtent / fineN
	// fineShift is the translation searched, in fine cells.
	fineShift = 4
	// fineFar is the distance, in fine cells, beyond which an outline
	// cell counts as stray.
	fineFar = 3
)

// fineGrid is a fineN x fineN bit raster, fineW words a row.
type fineGrid [fineN][fineW]uint64

func (g *fineGrid) at(x, y int) bool {
	return x >= 0 && y >= 0 && x < fineN && y < fineN && g[y][x>>6]&(1<<uint(x&63)) != 0
}

func (g *fineGrid) set(x, y int) { g[y][x>>6] |= 1 << uint(x&63) }

func (g *fineGrid) count() int {
	n := 0
	for y := range g {
		for _, w := range g[y] {
			n += bits.OnesCount64(w)
		}
	}
	return n
}

// flipped returns g turned by 180° about the grid centre.
func (g *fineGrid) flipped() fineGrid {
	var out fineGrid
	for y := range fineN {
		for k := range fineW {
			out[fineN-1-y][fineW-1-k] = bits.Reverse64(g[y][k])
		}
	}
	return out
}

// renderFine draws mask m through the linear map A (pixel offset from the
// centroid, scaled by s, → grid units of RMS radius) on the fine raster. A
// cell is on when at least half of its sub-samples (up to 2x2, nearest
// pixel) are.
func renderFine(m maskSource, mo moments, A [4]float64) fineGrid {
	var g fineGrid
	det := A[0]*A[3] - A[1]*A[2]
	if det == 0 || m.w == 0 || m.h == 0 {
		return g
	}
	// Inverse map: grid units → pixel offset.
	i0, i1, i2, i3 := A[3]/det, -A[1]/det, -A[2]/det, A[0]/det
	// Pixels per cell along the most stretched axis, for the sampling.
	px := fineCell * math.Sqrt(math.Max(i0*i0+i2*i2, i1*i1+i3*i3))
	s := min(2, max(1, int(math.Ceil(px))))
	half := float64(fineN) / 2
	need := (s*s + 1) / 2
	for cy := range fineN {
		for cx := range fineN {
			on := 0
			for sy := range s {
				v := (float64(cy) + (float64(sy)+0.5)/float64(s) - half) * fineCell
				for sx := range s {
					u := (float64(cx) + (float64(sx)+0.5)/float64(s) - half) * fineCell
					x := int(math.Floor(i0*u + i1*v + mo.cx))
					y := int(math.Floor(i2*u + i3*v + mo.cy))
					if x >= 0 && y >= 0 && x < m.w && y < m.h && m.pix[y*m.w+x] != 0 {
						on++
					}
				}
			}
			if on >= need {
				g.set(cx, cy)
			}
		}
	}
	return g
}

// similarityMap is the map of rasterize: rotation by angle degrees, scale
// 1/radius (times s).
func similarityMap(mo moments, angle, s float64) [4]float64 {
	a := angle * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	k := s / mo.radius
	return [4]float64{k * cos, -k * sin, k * sin, k * cos}
}

// alignedMap is the map of rasterizeAligned turned by a further angle
// degrees in the whitened frame and scaled by s.
func alignedMap(mo moments, angle, s float64) [4]float64 {
	a := -mo.theta * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	k1, k2 := s/math.Sqrt(mo.l1)/alignedSpread, s/math.Sqrt(mo.l2)/alignedSpread
	W := [4]float64{k1 * cos, -k1 * sin, k2 * sin, k2 * cos}
	b := angle * math.Pi / 180
	c, sn := math.Cos(b), math.Sin(b)
	return [4]float64{c*W[0] - sn*W[2], c*W[1] - sn*W[3], sn*W[0] + c*W[2], sn*W[1] + c*W[3]}
}

// fineRef is what the fine verification keeps of a reference: its mask on
// the fine raster at angle 0, and in its whitened principal frame when it
// is elongated (aniso).
type fineRef struct {
	grid, aligned fineGrid
}

func fineRefOf(m maskSource, mo moments, aniso bool) fineRef {
	f := fineRef{grid: renderFine(m, mo, similarityMap(mo, 0, 1))}
	if aniso {
		f.aligned = renderFine(m, mo, alignedMap(mo, 0, 1))
	}
	return f
}

// outline returns the cells of g with a 4-neighbour of the other value
// (inner boundary), as points.
func (g *fineGrid) outline() [][2]int16 {
	var pts [][2]int16
	for y := range fineN {
		for x := range fineN {
			if !g.at(x, y) {
				continue
			}
			if !g.at(x-1, y) || !g.at(x+1, y) || !g.at(x, y-1) || !g.at(x, y+1) {
				pts = append(pts, [2]int16{int16(x), int16(y)})
			}
		}
	}
	return pts
}

// distanceMap is the chamfer (3-4) distance, in cells, from every cell to
// the nearest of pts.
func distanceMap(pts [][2]int16) []float32 {
	const inf = 1e9
	d := make([]float32, fineN*fineN)
	for i := range d {
		d[i] = inf
	}
	for _, p := range pts {
		d[int(p[1])*fineN+int(p[0])] = 0
	}
	const a, b = 1, 1.4142135
	for y := range fineN {
		for x := range fineN {
			i := y*fineN + x
			v := d[i]
			if x > 0 {
				v = min(v, d[i-1]+a)
			}
			if y > 0 {
				v = min(v, d[i-fineN]+a)
				if x > 0 {
					v = min(v, d[i-fineN-1]+b)
				}
				if x < fineN-1 {
					v = min(v, d[i-fineN+1]+b)
				}
			}
			d[i] = v
		}
	}
	for y := fineN - 1; y >= 0; y-- {
		for x := fineN - 1; x >= 0; x-- {
			i := y*fineN + x
			v := d[i]
			if x < fineN-1 {
				v = min(v, d[i+1]+a)
			}
			if y < fineN-1 {
				v = min(v, d[i+fineN]+a)
				if x < fineN-1 {
					v = min(v, d[i+fineN+1]+b)
				}
				if x > 0 {
					v = min(v, d[i+fineN-1]+b)
				}
			}
			d[i] = v
		}
	}
	return d
}

// fineIoU is the IoU of a moved by (dx, dy) cells with b.
func fineIoU(a, b *fineGrid, dx, dy int) float64 {
	in, un := 0, 0
	for y := range fineN {
		sy := y - dy
		var row [fineW]uint64
		if sy >= 0 && sy < fineN {
			row = shiftRow(a[sy], dx)
		}
		for k := range fineW {
			in += bits.OnesCount64(row[k] & b[y][k])
			un += bits.OnesCount64(row[k] | b[y][k])
		}
	}
	if un == 0 {
		return 0
	}
	return float64(in) / float64(un)
}

// shiftRow moves a row's bits dx columns (towards higher x for dx > 0).
func shiftRow(r [fineW]uint64, dx int) [fineW]uint64 {
	switch {
	case dx > 0:
		return [fineW]uint64{r[0] << uint(dx), r[1]<<uint(dx) | r[0]>>uint(64-dx)}
	case dx < 0:
		return [fineW]uint64{r[0]>>uint(-dx) | r[1]<<uint(64+dx), r[1] >> uint(-dx)}
	}
	return r
}

// fineFit is the result of the fine verification.
type fineFit struct {
	// iou is the IoU of the two masks at the best pose.
	iou float64
	// stray is the larger, over the two outlines, of the share of one's
	// cells farther than fineFar cells from the other.
	stray float64
	// chamfer is the mean distance, in fine cells, of each outline to the
	// other, averaged over both.
	chamfer float64
	// strayPx is stray with the far distance at 1.5, 2 and 3 pixels of
	// the region's raster; pxPerCell is a fine cell's size there.
	strayPx   [3]float64
	pxPerCell float64
}

// fineMatch verifies region c against reference r on the fine raster.
func fineMatch(c *candidate, r *prepared) fineFit {
	m := maskSource{w: c.src.Dx(), h: c.src.Dy(), pix: c.mask}
	if len(c.mask) < m.w*m.h || m.w == 0 || r.fine == nil {
		return fineFit{}
	}
	var ref *fineGrid
	var mapAt func(angle, s float64) [4]float64
	var angles []float64
	if r.aniso && c.aligned != nil {
		ref = &r.fine.aligned
		if diff := c.mo.theta - r.mo.theta; math.Abs(diff-wrap90(diff)) > 90 {
			f := r.fine.aligned.flipped()
			ref = &f
		}
		mapAt = func(angle, s float64) [4]float64 { return alignedMap(c.mo, angle, s) }
		angles = []float64{-2, 0, 2}
	} else {
		// The matching angle: the reference view the region fits best.
		bi, bs := 0, -1.0
		for i := range r.views {
			if s := shapeScore(&c.view, &r.views[i]); s > bs {
				bi, bs = i, s
			}
		}
		mapAt = func(angle, s float64) [4]float64 { return similarityMap(c.mo, angle, s) }
		a := -angleAt(bi)
		angles = []float64{a - 3, a - 1.5, a, a + 1.5, a + 3}
		ref = &r.fine.grid
	}
	scales := []float64{0.96, 1, 1.04}
	type pose struct {
		g      fineGrid
		iou    float64
		dx, dy int
	}
	memo := map[[2]int]*pose{}
	eval := func(ai, si int) *pose {
		if p, ok := memo[[2]int{ai, si}]; ok {
			return p
		}
		p := &pose{g: renderFine(m, c.mo, mapAt(angles[ai], scales[si])), iou: -1}
		for dy := -fineShift; dy <= fineShift; dy++ {
			for dx := -fineShift; dx <= fineShift; dx++ {
				if v := fineIoU(&p.g, ref, dx, dy); v > p.iou {
					p.iou, p.dx, p.dy = v, dx, dy
				}
			}
		}
		memo[[2]int{ai, si}] = p
		return p
	}
	// Climb from the matching pose over angle and scale.
	ai, si := len(angles)/2, 1
	bp := eval(ai, si)
	for {
		bai, bsi := ai, si
		for _, d := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
			na, ns := ai+d[0], si+d[1]
			if na < 0 || ns < 0 || na >= len(angles) || ns >= len(scales) {
				continue
			}
			if p := eval(na, ns); p.iou > bp.iou {
				bp, bai, bsi = p, na, ns
			}
		}
		if bai == ai && bsi == si {
			break
		}
		ai, si = bai, bsi
	}
	best := fineFit{iou: bp.iou}
	bestG, bdx, bdy := bp.g, bp.dx, bp.dy
	A := mapAt(angles[ai], scales[si])
	pxPerCell := fineCell / math.Sqrt(math.Abs(A[0]*A[3]-A[1]*A[2]))
	// Outlines at the best pose.
	var moved fineGrid
	for y := range fineN {
		if sy := y - bdy; sy >= 0 && sy < fineN {
			moved[y] = shiftRow(bestG[sy], bdx)
		}
	}
	po, ro := moved.outline(), ref.outline()
	if len(po) == 0 || len(ro) == 0 {
		return fineFit{}
	}
	side := func(pts [][2]int16, d []float32) (far float64, farPx [3]float64, mean float64) {
		for _, p := range pts {
			v := float64(d[int(p[1])*fineN+int(p[0])])
			mean += v
			if v > fineFar {
				far++
			}
			for k, t := range []float64{1.5, 2, 3} {
				if v*pxPerCell > t {
					farPx[k]++
				}
			}
		}
		n := float64(len(pts))
		return far / n, [3]float64{farPx[0] / n, farPx[1] / n, farPx[2] / n}, mean / n
	}
	f1, p1, m1 := side(po, distanceMap(ro))
	f2, p2, m2 := side(ro, distanceMap(po))
	best.stray = math.Max(f1, f2)
	for k := range p1 {
		best.strayPx[k] = math.Max(p1[k], p2[k])
	}
	best.chamfer = (m1 + m2) / 2
	best.pxPerCell = pxPerCell
	return best
}

// fine writes f (flag, then the grid and, for an aniso reference, the
// aligned grid) at the end of a descriptor.
func (w *descWriter) fine(f *fineRef) {
	w.flag(f != nil)
	if f == nil {
		return
	}
	for _, g := range []*fineGrid{&f.grid, &f.aligned} {
		for y := range g {
			for _, v := range g[y] {
				w.u64(v)
			}
		}
	}
}

// fine reads what descWriter.fine wrote.
func (r *descReader) fine() *fineRef {
	if !r.flag() {
		return nil
	}
	f := &fineRef{}
	for _, g := range []*fineGrid{&f.grid, &f.aligned} {
		for y := range g {
			for k := range g[y] {
				g[y][k] = r.u64()
			}
		}
	}
	return f
}

// fineFactor maps the fine fit of a match on a region whose longer side is
// L working pixels to the factor its confidence is multiplied by.
func (c Config) fineFactor(f fineFit, L int) float64 {
	if c.FineStrayWidth == 0 || L < c.FineSide || f.iou < 0 {
		return 1
	}
	return sigmoid((c.FineStrayMax - f.stray) / c.FineStrayWidth)
}
