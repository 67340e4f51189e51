package logo

import "math"

// This file holds the projective half of the aligned frame. The whitened
// principal frame (rasterizeAligned) removes every affine change of a mark,
// but not perspective: a homography is an affine map after a pure
// projective one, (u, v) → (u, v)/(1 + a·u + b·v) in the mark's own
// normalised frame, and on a 4:1 wordmark the generator's corner jitter of
// up to 8% of the long side makes one end up to a third shorter than the
// other (a = ±0.3), which no affine frame absorbs: a crisp Fila at 344 px
// scored 0.46. So an elongated reference is also warped by a small grid of
// pure projective maps (a along its long axis, the taper; b along its
// short one, the keystone), each warp put back into its own whitened
// principal frame, exactly as a region seen under that perspective would
// be. The region's aligned view is then compared with these tapered views
// too, and the best score is kept (scoreRef), less taperCost.
//
// How far a taper reaches depends on the mark's aspect. Perspective moves
// the corners by a share of the mark's long side, which is a larger share
// of a thin mark's height: an end's height changes by about 2a times the
// mark's, so a corner shift of δ of the long side at each end is a taper
// of a = δ/(2·h), h the height over the length, √ecc for a rectangle. The
// ±0.3 of a 4:1 mark is δ = 0.15 (the generator's 8% a corner, two corners
// an end); on 6:1 wordmarks (Samsung, Sony, h ≈ 0.15) the same shift is
// a ≈ 0.5, and those marks were the commonest misses at 16 references (35
// of 93 on seeds 42-46), their far end half the near one's height or less.
// So a thin reference's grid reaches a = taperReach/√ecc, rounded to a
// step, up to ±0.6 (taperGridFor); the others keep ±0.3, as every extra
// view is one more chance fit for every region.

// taperStep is the spacing of a in the taper grid, taperMinReach and
// taperMaxReach the least and most |a| it reaches, and taperReach is
// δ/2 of the corner shift δ it covers (see above).
const (
	taperStep     = 0.15
	taperMinReach = 0.3
	taperMaxReach = 0.6
	taperReach    = 0.075
)

// taperGridFor returns the (a, b) of the projective warps in the
// normalised principal frame (the ends of a rectangle at ±1) of a
// reference with eccentricity ecc, the identity left out (it is the plain
// aligned view): a in steps of taperStep out to taperReach/√ecc, rounded
// to a step and kept within [taperMinReach, taperMaxReach]; b in {0, ±0.1}.
func taperGridFor(ecc float64) [][2]float64 {
	reach := taperReach / math.Sqrt(math.Max(ecc, 1e-6))
	steps := int(math.Round(math.Min(taperMaxReach, math.Max(taperMinReach, reach)) / taperStep))
	var out [][2]float64
	for k := -steps; k <= steps; k++ {
		a := float64(k) * taperStep
		for _, b := range []float64{-0.1, 0, 0.1} {
			if a != 0 || b != 0 {
				out = append(out, [2]float64{a, b})
			}
		}
	}
	return out
}

// taperedViews returns, per warp of taperGridFor(mo.ecc), the aligned
// views of mask m (moments mo) seen under that warp, and turned by 180°.
func taperedViews(m maskSource, mo moments) [][2]shapeView {
	grid := taperGridFor(mo.ecc)
	out := make([][2]shapeView, 0, len(grid))
	for _, p := range grid {
		w, ok := warpProjective(m, mo, p[0], p[1])
		if !ok {
			// Warped out of shape: keep the plain view in its slot, so
			// the grid's layout depends on the mark's eccentricity alone.
			w = m
		}
		wmo, ok := measure(w)
		if !ok {
			w, wmo = m, mo
		}
		out = append(out, [2]shapeView{
			newShapeView(rasterizeAligned(w, wmo, false)),
			newShapeView(rasterizeAligned(w, wmo, true)),
		})
	}
	return out
}

// warpProjective renders m through the pure projective map
// n → n/(1 + a·n.u + b·n.v), where n are the coordinates of a pixel centre
// in m's principal frame, scaled so that the ends of a rectangle with m's
// moments lie at ±1 (centroid at 0), at about m's own scale. Each output
// pixel takes the source pixel under its preimage (the identity gives m
// back, moved by whole pixels). It reports false when
// the warp sends part of the mark to infinity.
func warpProjective(m maskSource, mo moments, a, b float64) (maskSource, bool) {
	th := -mo.theta * math.Pi / 180
	cos, sin := math.Cos(th), math.Sin(th)
	su, sv := math.Sqrt(3*mo.l1), math.Sqrt(3*mo.l2) // half-lengths of the rectangle
	// toN maps a pixel offset from the centroid to n; fromN back.
	toN := func(dx, dy float64) (float64, float64) {
		return (cos*dx - sin*dy) / su, (sin*dx + cos*dy) / sv
	}
	fromN := func(u, v float64) (float64, float64) {
		u, v = u*su, v*sv
		return cos*u + sin*v, -sin*u + cos*v
	}
	// Bounds of the warped mark, from its on-pixels' corners.
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for y := range m.h {
		row := m.pix[y*m.w : (y+1)*m.w]
		for x, on := range row {
			if on == 0 || (x > 0 && x < m.w-1 && row[x-1] != 0 && row[x+1] != 0) {
				continue // interior pixels of a run lie between its ends
			}
			for _, c := range [4][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				u, v := toN(float64(x)+c[0]-mo.cx, float64(y)+c[1]-mo.cy)
				w := 1 + a*u + b*v
				if w < 0.25 {
					return maskSource{}, false
				}
				px, py := fromN(u/w, v/w)
				px, py = px+mo.cx, py+mo.cy
				x0, y0, x1, y1 = math.Min(x0, px), math.Min(y0, py), math.Max(x1, px), math.Max(y1, py)
			}
		}
	}
	if x0 > x1 {
		return maskSource{}, false
	}
	// The output lattice is m's own, shifted by whole pixels.
	ox, oy := math.Floor(x0), math.Floor(y0)
	out := maskSource{w: int(math.Ceil(x1) - ox), h: int(math.Ceil(y1) - oy)}
	if out.w < 1 || out.h < 1 || out.w*out.h > 16*m.w*m.h {
		return maskSource{}, false
	}
	out.pix = make([]uint8, out.w*out.h)
	for y := range out.h {
		for x := range out.w {
			u, v := toN(float64(x)+0.5+ox-mo.cx, float64(y)+0.5+oy-mo.cy)
			w := 1 - a*u - b*v // the inverse of n/(1 + a·n.u + b·n.v)
			if w <= 0 {
				continue
			}
			dx, dy := fromN(u/w, v/w)
			sx, sy := int(math.Floor(dx+mo.cx)), int(math.Floor(dy+mo.cy))
			if sx >= 0 && sy >= 0 && sx < m.w && sy < m.h && m.pix[sy*m.w+sx] != 0 {
				out.pix[y*out.w+x] = 1
			}
		}
	}
	return out, true
}

// taperCost is taken off a score reached through a tapered view: the best
// of 15 views fits a region by chance better than one view does, and
// without it a swoosh found a scene outline under a taper (seed 42,
// 16 references: +1 false alarm).
const taperCost = 0.02
