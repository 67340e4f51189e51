package logo

import "math"

// This file holds the fine outline comparison of a shape match. The
// matcher scores silhouettes on a 64×64 raster at a pose quantised to its
// angle step and to whole cells: there a fill icon that fits a region by
// chance (a hexagon against a scalloped shell, a chevron against a play
// triangle) scores about as well as the right mark, and at 1,000
// references one usually does. fineOutline compares the region's own
// outline, at the resolution it was cut at (up to fineSide cells on its
// longer side), with the reference's grey template's outline (eccSide
// pixels), at the matcher's pose refined by a small search: the truncated
// chamfer distance both ways (Barrow et al. 1977; Borgefors 1988), which
// punishes detail missing on either side that an area overlap forgives.
// The learned decision reads it for the match and as a margin over the
// runner-up brand (decide.go), so a look-alike that fits the region's
// silhouette but not its outline loses.

// fineSide is the most cells on the longer side of the region's grid: a
// larger region is sampled down to it.
const fineSide = 128

// fineTau is the distance, over the template's longer side, at which an
// outline point counts as missing: distances are truncated there.
const fineTau = 0.04

// fineMaxPoints is the most outline points read each way; longer outlines
// are read at a stride.
const fineMaxPoints = 300

// fineGrid is a binary grid's outline and its distance transform: dist
// holds each cell's distance to the nearest outline cell, in cells.
type fineGrid struct {
	w, h  int
	dist  []float32
	edges [][2]float64 // outline cells' centres
}

// newFineGrid returns the outline and distance transform of the w×h grid
// on (true = inside). An outline cell is on with a 4-neighbour off or on
// the grid's border.
func newFineGrid(on []bool, w, h int) fineGrid {
	g := fineGrid{w: w, h: h, dist: make([]float32, w*h)}
	const far = math.MaxFloat32 / 4
	for y := range h {
		for x := range w {
			i := y*w + x
			g.dist[i] = far
			if !on[i] {
				continue
			}
			if x == 0 || y == 0 || x == w-1 || y == h-1 || !on[i-1] || !on[i+1] || !on[i-w] || !on[i+w] {
				g.dist[i] = 0
				g.edges = append(g.edges, [2]float64{float64(x), float64(y)})
			}
		}
	}
	chamfer34(g.dist, w, h)
	return g
}

// chamfer34 turns d (0 on the features, large elsewhere) into each cell's
// distance to the nearest feature by the two-pass 3-4 chamfer transform
// (within 8% of the Euclidean distance), in cells.
func chamfer34(d []float32, w, h int) {
	const a, b = 1, 4.0 / 3
	for y := range h {
		for x := range w {
			i := y*w + x
			v := d[i]
			if x > 0 {
				v = min(v, d[i-1]+a)
			}
			if y > 0 {
				v = min(v, d[i-w]+a)
				if x > 0 {
					v = min(v, d[i-w-1]+b)
				}
				if x < w-1 {
					v = min(v, d[i-w+1]+b)
				}
			}
			d[i] = v
		}
	}
	for y := h - 1; y >= 0; y-- {
		for x := w - 1; x >= 0; x-- {
			i := y*w + x
			v := d[i]
			if x < w-1 {
				v = min(v, d[i+1]+a)
			}
			if y < h-1 {
				v = min(v, d[i+w]+a)
				if x < w-1 {
					v = min(v, d[i+w+1]+b)
				}
				if x > 0 {
					v = min(v, d[i+w-1]+b)
				}
			}
			d[i] = v
		}
	}
}

// at is the distance at (x, y) in cell-centre coordinates, or -1 off the
// grid.
func (g *fineGrid) at(x, y float64) float64 {
	ix, iy := int(math.Round(x)), int(math.Round(y))
	if ix < 0 || iy < 0 || ix >= g.w || iy >= g.h {
		return -1
	}
	return float64(g.dist[iy*g.w+ix])
}

// strided returns at most n of pts, evenly spaced.
func strided(pts [][2]float64, n int) [][2]float64 {
	if len(pts) <= n {
		return pts
	}
	out := make([][2]float64, 0, n)
	step := float64(len(pts)) / float64(n)
	for i := range n {
		out = append(out, pts[int(float64(i)*step)])
	}
	return out
}

// regionFine is region c's grid for fineOutline: its mask sampled at k
// pixels of its raster a cell, with pad cells of ground around it.
type regionFine struct {
	fineGrid
	k   float64
	pad int
}

// regionGrid samples c's mask for fineOutline.
func regionGrid(c *candidate) (regionFine, bool) {
	w, h := c.src.Dx(), c.src.Dy()
	if w <= 0 || h <= 0 || len(c.mask) < w*h {
		return regionFine{}, false
	}
	k := math.Max(1, float64(max(w, h))/fineSide)
	gw, gh := int(math.Ceil(float64(w)/k)), int(math.Ceil(float64(h)/k))
	pad := int(math.Ceil(2*fineTau*float64(max(gw, gh)))) + 1
	W, H := gw+2*pad, gh+2*pad
	on := make([]bool, W*H)
	for y := range gh {
		sy := min(h-1, int((float64(y)+0.5)*k))
		for x := range gw {
			sx := min(w-1, int((float64(x)+0.5)*k))
			on[(y+pad)*W+x+pad] = c.mask[sy*w+sx] != 0
		}
	}
	return regionFine{fineGrid: newFineGrid(on, W, H), k: k, pad: pad}, true
}

// templateGrid is reference r's template outline for fineOutline, with
// pad pixels of ground around it.
func templateGrid(t *eccTemplate, pad int) fineGrid {
	W, H := t.w+2*pad, t.h+2*pad
	on := make([]bool, W*H)
	for y := range t.h {
		for x := range t.w {
			on[(y+pad)*W+x+pad] = t.pix[y*t.w+x] >= 128
		}
	}
	return newFineGrid(on, W, H)
}

// fineOutline returns how well reference r's outline fits region c's at
// the matcher's pose refined (see above): 1 less the larger of the two
// mean truncated chamfer distances (region to reference and back, over
// fineTau of the template's longer side), in [0, 1]; false when there is
// no pose or no outline. rg is c's grid (regionGrid).
func fineOutline(c *candidate, rg *regionFine, r *prepared, g grayImage, col rgbImage) (float64, bool) {
	f, ok := finePoseSearch(c, rg, r, g, col)
	if !ok {
		return 0, false
	}
	return f.fit(), true
}

// fit is fineOutline's reading of the pose: 1 less its cost, in [0, 1].
func (f *finePoseFit) fit() float64 { return clampTo(1-f.cost, 0, 1) }

// finePoseFit is what finePoseSearch finds: the map F from the reference's
// template grid (tpad cells of ground round the template; its outline tg,
// truncation tau in template pixels) to the region's grid, Fok false when
// the refined parameters make no homography, and the pose's cost, the
// larger of the two mean truncated chamfer distances over tau.
type finePoseFit struct {
	tpad int
	tau  float64
	tg   fineGrid
	F    homography
	Fok  bool
	cost float64
}

// finePoseSearch refines the matcher's pose of reference r on region c
// (grid rg) over a homography, on the whole outline, by the truncated
// chamfer distance both ways; false when there is no pose or the template
// or the region has no outline. fineOutline reads its cost, innerFit its
// pose.
func finePoseSearch(c *candidate, rg *regionFine, r *prepared, g grayImage, col rgbImage) (finePoseFit, bool) {
	t := &r.tmpl
	if t.w == 0 || len(rg.edges) == 0 {
		return finePoseFit{}, false
	}
	P, ok := refPose(c, r, g, col)
	if !ok {
		return finePoseFit{}, false
	}
	tL := float64(max(t.w, t.h))
	tau := fineTau * tL
	tpad := int(math.Ceil(tau)) + 1
	tg := templateGrid(t, tpad)
	if len(tg.edges) == 0 {
		return finePoseFit{}, false
	}
	// Q maps a template grid cell (centre coordinates) to the region's
	// grid: template → trimmed mask → grey raster (P) → c's raster →
	// region cells.
	sx, sy := 1.0, 1.0
	if c.colour {
		sx, sy = float64(col.w)/float64(g.w), float64(col.h)/float64(g.h)
	}
	toRegion := func(x, y float64) (float64, float64) {
		mx, my := (x-float64(tpad)+0.5)/t.sx, (y-float64(tpad)+0.5)/t.sy
		gx, gy := P.at(mx, my)
		rx, ry := gx*sx-float64(c.src.Min.X), gy*sy-float64(c.src.Min.Y)
		return rx/rg.k + float64(rg.pad) - 0.5, ry/rg.k + float64(rg.pad) - 0.5
	}
	ox, oy := toRegion(0, 0)
	ax, ay := toRegion(1, 0)
	bx, by := toRegion(0, 1)
	Q := affine2{ax - ox, bx - ox, ox, ay - oy, by - oy, oy}
	// The refinement perturbs Q about the template's centre in the
	// region's grid by a homography: a shift, a turn, a scale, a stretch
	// along x, a shear and two perspective terms (marks are printed on
	// leaning and curved surfaces).
	ccx, ccy := Q.at(float64(tg.w-1)/2, float64(tg.h-1)/2)
	regionL := tL * math.Sqrt(math.Abs(Q[0]*Q[4]-Q[1]*Q[3]))
	tEdges := strided(tg.edges, fineMaxPoints)
	rEdges := strided(rg.edges, fineMaxPoints)
	cost := func(p [fineParams]float64) float64 {
		F, ok := finePose(Q, p, ccx, ccy, regionL)
		if !ok {
			return 2
		}
		Fi, ok := F.inverse()
		if !ok {
			return 2
		}
		return max(chamferToRegion(&F, tEdges, rg, tau), chamferToTemplate(&Fi, rEdges, &tg, tau))
	}
	// Coordinate descent from the matcher's pose, the steps halved each
	// round: the pose is quantised to a cell and the angle step.
	var p [fineParams]float64
	step := [fineParams]float64{0.04 * regionL, 0.04 * regionL, 3 * math.Pi / 180, 0.04, 0.04, 0.04, 0.03, 0.03}
	best := cost(p)
	for range 4 {
		for j := range p {
			for _, dir := range [2]float64{1, -1} {
				for range 3 {
					q := p
					q[j] += dir * step[j]
					v := cost(q)
					if v >= best {
						break
					}
					p, best = q, v
				}
			}
		}
		for j := range step {
			step[j] /= 2
		}
	}
	F, Fok := finePose(Q, p, ccx, ccy, regionL)
	return finePoseFit{tpad: tpad, tau: tau, tg: tg, F: F, Fok: Fok, cost: best}, true
}

// templateToGrey is the fine pose as a map from reference r's stored
// grey template (pixel corner coordinates) to the working grey raster g
// (corner coordinates), for region c (grid rg); false when the pose made
// no homography. The grey alignment starts from it when it does not
// converge from the matcher's pose (see eccScore).
func (f *finePoseFit) templateToGrey(c *candidate, rg *regionFine, g grayImage, col rgbImage) (homography, bool) {
	if !f.Fok {
		return homography{}, false
	}
	sx, sy := 1.0, 1.0
	if c.colour {
		if col.w == 0 || col.h == 0 {
			return homography{}, false
		}
		sx, sy = float64(col.w)/float64(g.w), float64(col.h)/float64(g.h)
	}
	// Template corner → template grid cell centre, F, region cell centre
	// → c's raster → grey raster (corners).
	toGrid := homography{1, 0, float64(f.tpad) - 0.5, 0, 1, float64(f.tpad) - 0.5, 0, 0, 1}
	off := 0.5 - float64(rg.pad)
	toGrey := homography{
		rg.k / sx, 0, (off*rg.k + float64(c.src.Min.X)) / sx,
		0, rg.k / sy, (off*rg.k + float64(c.src.Min.Y)) / sy,
		0, 0, 1,
	}
	return toGrey.after(f.F).after(toGrid), true
}

// after is the homography h·o: o applied first, then h.
func (h homography) after(o homography) homography {
	var p homography
	for r := range 3 {
		for k := range 3 {
			p[3*r+k] = h[3*r]*o[k] + h[3*r+1]*o[3+k] + h[3*r+2]*o[6+k]
		}
	}
	return p
}

// chamferToRegion is the mean truncated distance, over tau, from the template
// grid's points pts mapped by F to the outline of region grid rg; the
// distance is measured in template pixels (over F's local scale), tau
// where a point falls off the grid or behind the horizon.
func chamferToRegion(F *homography, pts [][2]float64, rg *regionFine, tau float64) float64 {
	var a float64
	for _, e := range pts {
		x, y, perT := F.at(e[0], e[1])
		d := rg.at(x, y)
		if d < 0 || perT <= 0 {
			d = tau
		} else {
			d = min(tau, d/perT)
		}
		a += d
	}
	return a / (float64(len(pts)) * tau)
}

// chamferToTemplate is the mean truncated distance, over tau, from the
// region grid's points pts mapped by Fi to the outline of template grid
// tg, in template pixels; tau where a point falls off the grid.
func chamferToTemplate(Fi *homography, pts [][2]float64, tg *fineGrid, tau float64) float64 {
	var b float64
	for _, e := range pts {
		x, y := Fi.point(e[0], e[1])
		d := tg.at(x, y)
		if d < 0 {
			d = tau
		}
		b += min(tau, d)
	}
	return b / (float64(len(pts)) * tau)
}

// fineParams is the number of parameters of finePose.
const fineParams = 8

// homography maps (x, y) to ((h0x+h1y+h2)/w, (h3x+h4y+h5)/w), w =
// h6x+h7y+h8.
type homography [9]float64

// at maps (x, y) and returns the map's local scale there (the square root
// of its Jacobian's determinant), 0 behind the horizon.
func (h *homography) at(x, y float64) (float64, float64, float64) {
	w := h[6]*x + h[7]*y + h[8]
	if w <= 1e-9 {
		return math.Inf(1), math.Inf(1), 0
	}
	u, v := (h[0]*x+h[1]*y+h[2])/w, (h[3]*x+h[4]*y+h[5])/w
	// d(u,v)/d(x,y) = (A − (u,v)·(h6,h7)) / w.
	j00, j01 := (h[0]-u*h[6])/w, (h[1]-u*h[7])/w
	j10, j11 := (h[3]-v*h[6])/w, (h[4]-v*h[7])/w
	return u, v, math.Sqrt(math.Abs(j00*j11 - j01*j10))
}

// point is at's point alone (the same sums, so the same point), for the
// loops that need no local scale.
func (h *homography) point(x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + h[8]
	if w <= 1e-9 {
		return math.Inf(1), math.Inf(1)
	}
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// inverse is h's inverse; false when h is singular.
func (h *homography) inverse() (homography, bool) {
	a, b, c, d, e, f, g, k, l := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
	A, B, C := e*l-f*k, -(d*l - f*g), d*k-e*g
	det := a*A + b*B + c*C
	if math.Abs(det) < 1e-12 {
		return homography{}, false
	}
	return homography{
		A / det, -(b*l - c*k) / det, (b*f - c*e) / det,
		B / det, (a*l - c*g) / det, -(a*f - c*d) / det,
		C / det, -(a*k - b*g) / det, (a*e - b*d) / det,
	}, true
}

// finePose is the affine map Q from template to region cells perturbed by
// p about the point (cx, cy) of the region's grid: shift (p0, p1) cells,
// turn p2 radians, scale e^p3, stretch e^±p4 along x and y, shear p5 and
// perspective (p6, p7) over L, the mark's size in cells.
func finePose(Q affine2, p [fineParams]float64, cx, cy, L float64) (homography, bool) {
	if L <= 0 {
		return homography{}, false
	}
	cos, sin := math.Cos(p[2]), math.Sin(p[2])
	s := math.Exp(p[3])
	sa, sb := s*math.Exp(p[4]), s*math.Exp(-p[4])
	// B = R·[[sa, p5·sb], [0, sb]], about the centre, with perspective.
	b00, b01 := cos*sa, cos*p[5]*sb-sin*sb
	b10, b11 := sin*sa, sin*p[5]*sb+cos*sb
	g6, g7 := p[6]/L, p[7]/L
	// G(u) = (B·(u−c) + c + shift) / (1 + g·(u−c)), as a homography.
	G := homography{
		b00 + (cx+p[0])*g6, b01 + (cx+p[0])*g7, 0,
		b10 + (cy+p[1])*g6, b11 + (cy+p[1])*g7, 0,
		g6, g7, 1 - g6*cx - g7*cy,
	}
	G[2] = cx + p[0] - (b00*cx + b01*cy) - (cx+p[0])*(g6*cx+g7*cy)
	G[5] = cy + p[1] - (b10*cx + b11*cy) - (cy+p[1])*(g6*cx+g7*cy)
	// F = G·Q, Q affine.
	var F homography
	for r := range 3 {
		F[3*r] = G[3*r]*Q[0] + G[3*r+1]*Q[3]
		F[3*r+1] = G[3*r]*Q[1] + G[3*r+1]*Q[4]
		F[3*r+2] = G[3*r]*Q[2] + G[3*r+1]*Q[5] + G[3*r+2]
	}
	return F, true
}
