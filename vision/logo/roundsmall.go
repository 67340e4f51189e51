package logo

import (
	"math"
	"math/bits"
)

// This file holds the small renderings of round references (badges,
// emblems: every reference that is not elongated, see anisoRefEcc). A
// 45-px badge in a photo has lost to area sampling, blur and JPEG the fine
// parts its 400-px reference keeps (the Starbucks siren's face and hair run
// together), so it scores under its midpoint against that reference: on the
// benchmark's seeds 42 and 44 at 16 references, small Starbucks of 41 and
// 47 px score 0.73 where a region of their size needs 0.75 (ShapeMid and
// SmallMidBoost), while the null corpus, the same size or any, holds
// Starbucks under 0.63. As for elongated references (small.go), a round
// reference is also rendered as a photo renders it, at smallSides, crisp
// and blurred, cut at smallCuts, and a small region meets the rendering
// nearest its size.
//
// The matching does not search the renderings: at 1,000 references small
// regions meet hundreds of round references, and turning each region for
// each of them cost a fifth of a photo's time (docs/benchmarks.md, "Small
// round marks, session 9"). Only the match a region reports is compared
// with its reference's renderings (liftRoundSmall), once the plain score
// has reached ShapeMid, the least score the report cut lets through at
// confidence 0.5 (reportFloor), and leads the second brand's, on its
// scale (onScale), by MarginMid; so few regions a photo are turned, the report cut stays exact
// (a rendering only raises a region the cut keeps), and the other brands'
// scores (second, crowd) are what the search found.
// The rendering's score is calibrated on its own null-corpus score
// (nullRound: every null region that meets a rendering, through the same
// comparison), and the region keeps whichever of the two comparisons gives
// the higher confidence.

// roundRender is a round reference rendered small: the RMS radius of the
// crisp rendering's half cut in its own pixels, and the views at angle 0
// of each variant (crisp or blurred, cut at each of smallCuts).
type roundRender struct {
	radius float64
	views  []shapeView
}

// roundRenders renders mask m at each of smallSides as smallRenders does,
// with views at angle 0.
func roundRenders(m maskSource, mo moments) []roundRender {
	out := make([]roundRender, len(smallSides))
	for i, side := range smallSides {
		vs := smallVariants(m, mo, side)
		out[i].radius = vs[0].mo.radius
		out[i].views = make([]shapeView, len(vs))
		for k, v := range vs {
			out[i].views[k] = newShapeView(rasterize(v.m, v.mo, 0))
		}
	}
	return out
}

// nearestRound returns the rendering of rs whose RMS radius is nearest
// the region's (in the pixels of the raster it was cut from), or nil when
// none lies within smallRatio.
func nearestRound(c *candidate, rs []roundRender) *roundRender {
	var best *roundRender
	bd := math.Log(smallRatio)
	for i := range rs {
		if d := math.Abs(math.Log(c.mo.radius / rs[i].radius)); d <= bd {
			best, bd = &rs[i], d
		}
	}
	return best
}

// repeats reports whether view k repeats the one before it (a merged slot
// that merges nothing, see mergeCut): the same view, scored once.
func (s *roundRender) repeats(k int) bool {
	return k > 0 && s.views[k].hash == s.views[k-1].hash && s.views[k].maskN == s.views[k-1].maskN
}

// roundSmallScore is the refined score of region c against the rendering
// of round reference r nearest its size, less smallCost, or 0 when r has
// none for c or the gates rule the pair out. The region is turned by the
// angle the search finds on r's own views (the rendering has one view, at
// angle 0), and passes the gates the angle search applies. A view is
// refined only where, unshifted, it fits the region better than r's own
// view at that angle by smallCost: like is compared with like, where the
// photo lost what the rendering lost too; elsewhere the rendering fits
// the blob no better than the reference does.
func roundSmallScore(c *candidate, r *prepared, cfg Config, floor float64) float64 {
	if r.aniso || radialDist(&c.rad, &r.rad) > cfg.MaxRadial {
		return 0
	}
	s := nearestRound(c, r.round)
	if s == nil {
		return 0
	}
	bi := exactSearch.roundAngle(c, r, cfg)
	if bi < 0 {
		return 0
	}
	s0 := shapeScore(&c.view, &r.views[bi])
	v := turnedView(c, bi)
	var shifts *shiftSet
	best := 0.0
	for k := range s.views {
		w := &s.views[k]
		if s.repeats(k) || !similarArea(v, w) || bits.OnesCount64(v.hash^w.hash) > cfg.HashMaxDist || maskTolerantF(v, w) < cfg.CoarseMin {
			continue
		}
		ws := shapeScore(v, w)
		if ws < floor-refineSlack || ws < s0+smallCost {
			continue
		}
		if shifts == nil {
			shifts = newShiftSet(v)
		}
		best = math.Max(best, bestShiftFrom(shifts, w, ws))
	}
	return math.Max(0, best-smallCost)
}

// roundAngle is the best angle view of round reference r for region c
// (see roundAngles, search.bestAngle), or -1 when none passes the gates.
func (s search) roundAngle(c *candidate, r *prepared, cfg Config) int {
	lo, hi, ok := roundAngles(c, r)
	if !ok {
		return -1
	}
	return s.bestAngle(c, r, lo, hi, cfg)
}

// turnedView returns c's view turned back by search angle i: reference
// view i is the reference turned by angleAt(i), so c turned by -angleAt(i)
// faces the reference at angle 0.
func turnedView(c *candidate, i int) *shapeView {
	if i == numAngles/2 {
		return &c.view
	}
	src := maskSource{w: c.src.Dx(), h: c.src.Dy(), pix: c.mask}
	v := newShapeView(rasterize(src, c.mo, -angleAt(i)))
	return &v
}

// nullRoundScore is the best score round reference p reaches on the null
// corpus's regions through its renderings (roundSmallScore), 0 for an
// elongated one: what chance reaches through the comparison a lifted
// region went through.
func nullRoundScore(p *prepared, null []*candidate, cfg Config) float64 {
	if p.aniso || len(p.round) == 0 {
		return 0
	}
	return nullBest(p, null, cfg, roundSmallScore)
}

// liftRoundSmall returns match m with its score against its reference's
// rendering of the region's size, and the null score that score is
// calibrated on, when that gives the higher confidence; otherwise m as it
// is and its reference's nullMax. Only a region whose plain score reached
// ShapeMid is compared (see the top of this file), and the report floor
// when MinConfidence is over 0.5: the report cut dropped the regions under
// it, so a lift of one of those could not be reported either, and the
// confidences do not depend on the cut. And only a region that already
// leads the second brand by MarginMid, the second's score read on m's
// scale (onScale: over its own midpoint): the lift answers a score held
// under its midpoint, not a region that another brand fits about as well,
// whose score against its own views is all the margin can fairly compare
// (the other brands' renderings are not searched). At 1,000 references
// most small regions have such a runner-up, and turning them all cost
// 16-30 CPU ms a photo on seed 42; a runner-up that fits any small blob
// (a high chance level) is no such brand.
func (c Config) liftRoundSmall(m shapeMatch) (shapeMatch, float64) {
	if m.ref.aniso || m.score < max(c.ShapeMid, c.reportFloor()) {
		return m, m.ref.nullMax
	}
	L := max(m.cand.box.Dx(), m.cand.box.Dy())
	if m.secondRef != nil && m.score-c.onScale(m.second, m.secondRef, c.fitMid(m.ref.nullMax, L), L) < c.MarginMid {
		return m, m.ref.nullMax
	}
	s := roundSmallScore(m.cand, m.ref, c, c.ShapeMid)
	if s <= m.score {
		return m, m.ref.nullMax
	}
	null := math.Max(m.ref.nullMax, m.ref.nullRound)
	if c.shapeConfidence(s, m.second, null, L) <= c.shapeConfidence(m.score, m.second, m.ref.nullMax, L) {
		return m, m.ref.nullMax
	}
	m.score = s
	return m, null
}

// onScale is score s of reference r on a region of longer side L moved
// onto the scale of a reference whose midpoint there is mid: its fit over
// its own midpoint (fitMid, its chance level), added to mid. At 1,000
// references the second brand on a small round mark is often a reference
// that fits any small blob (mainwp, 1password: chance levels 0.82-0.86,
// midpoints 0.9 and more), whose raw score lies within MarginMid of the
// mark's own reference while its fit lies 15 to 19 ShapeWidths under its
// midpoint (docs/benchmarks.md, "Marks lost from 16 to 1,000 references,
// session 17").
func (c Config) onScale(s float64, r *prepared, mid float64, L int) float64 {
	return s - c.fitMid(r.nullMax, L) + mid
}
