package logo

import (
	"math"
	"math/bits"
)

// This file holds matchShapes' report cut. With a thousand references the
// refinements (bestShift climbing over translations at three angles) are
// the largest part of the matching, and most of the views queued for them
// (78% on seeds 42 and 44) lie in regions whose best score stays under
// ShapeMid: Detect reports none of those, whatever their runners-up, since
// a confidence is at most sigmoid((score-ShapeMid)/ShapeWidth) (see
// reportFloor).
//
// So the search runs in two passes. The first, over references as the
// single pass did (a reference's views stay in cache), applies every gate
// the fast search applies before refining, and queues what it would
// refine, with an estimate of the refined score that a translation moves
// little (cutEstimate). A region none of whose queued views reaches the
// report floor by that estimate plus cutSlack is left without refining
// anything: it could not be reported. refineQueue refines the other
// regions' queues in reference order, with the needs of the single pass,
// so the regions it keeps get the very scores, seconds and references the
// single pass gave them (TestReportCutKeepsMatches); matchShapes refines
// them best first by the estimate instead (refineRanked, ranked.go),
// which refines less.

// reportFloor is the lowest shape score Detect can report at
// cfg.MinConfidence: a confidence is sigmoid((score-mid)/ShapeWidth) with
// mid >= ShapeMid, times factors of at most 1 (margin, edge, crowd).
func (c Config) reportFloor() float64 {
	p := math.Min(math.Max(c.MinConfidence, 1e-9), 1-1e-9)
	return c.ShapeMid + c.ShapeWidth*math.Log(p/(1-p))
}

// cutSlack is how far under the report floor a queued view's estimate
// (cutEstimate) may lie and its region still be refined. The estimate
// overshoots: on seeds 42 and 44 of the benchmark at 1,000 references
// (4,569 regions with a view refining to the floor), every such region had
// a view whose estimate lay 0.031 or more over the floor
// (docs/benchmarks.md, "Matching at 1,000 references, session 8"), so the
// cut takes the floor itself.
const cutSlack = 0.0

// Kinds of queued view.
const (
	itemRound   = iota // a round reference's best angle (refined with its neighbours)
	itemAligned        // an elongated reference's aligned view
	itemTapered        // its best tapered view
	itemSmall          // one of its small renderings
)

// queuedView is one refinement the single pass could make for a
// (region, reference) pair, past every gate that does not depend on the
// region's best so far.
type queuedView struct {
	ref   int32
	kind  uint8
	angle int8 // the best angle of a round pair
	view  *shapeView
	// s0 is the unshifted score, est the cut's estimate (cutEstimate)
	// of the refined one, less cost.
	s0, est float64
}

// cost is what is taken off the view's refined score.
func (it *queuedView) cost() float64 {
	switch it.kind {
	case itemTapered:
		return taperCost
	case itemSmall:
		return smallCost
	}
	return 0
}

// matchShapesCut is matchShapes with the report cut (see above); it
// returns the match of every region that can be reported, refined best
// first (refineRanked).
func matchShapesCut(cands []*candidate, refs []*prepared, cfg Config) []shapeMatch {
	floor := cfg.ShapeMid - 6*cfg.ShapeWidth // conf < 0.01
	queues := queueViews(cands, refs, cfg, floor)
	cut := cfg.reportFloor() - cutSlack
	var out []shapeMatch
	for i, c := range cands {
		if m, ok := refineRanked(c, queues[i], refs, cut); ok && m.score >= floor {
			out = append(out, m)
		}
	}
	return out
}

// reachable reports whether the estimate (cutEstimate) of one of the
// queued views reaches cut; it stops at the first that does.
func reachable(q []queuedView, cut float64) bool {
	for i := range q {
		if q[i].est >= cut {
			return true
		}
	}
	return false
}

// queueViews is the first pass: every region's queue, met reference by
// reference in the order of the single pass (see matchShapesBy).
func queueViews(cands []*candidate, refs []*prepared, cfg Config, floor float64) [][]queuedView {
	queues := make([][]queuedView, len(cands))
	order := byEccentricity(cands)
	for ri, r := range refs {
		for _, ci := range order.window(r, cfg) {
			queues[ci] = queuePair(queues[ci], int32(ri), cands[ci], r, cfg, floor)
		}
	}
	return queues
}

// queuePair appends the views scoreSearch (fast) may refine for region c
// and reference r (refs[ri]), past the gates that do not depend on the
// need.
func queuePair(q []queuedView, ri int32, c *candidate, r *prepared, cfg Config, floor float64) []queuedView {
	if r.aniso {
		flip, ok := alignedFlip(c, r)
		if !ok {
			return q
		}
		add := func(v *shapeView, kind uint8) {
			if s0, est := scoreEstimate(c.aligned, v); s0 >= floor-refineSlack {
				it := queuedView{ref: ri, kind: kind, view: v, s0: s0}
				it.est = est - it.cost()
				q = append(q, it)
			}
		}
		if v := &r.aligned[flip]; alignedGates(c, v, cfg) {
			add(v, itemAligned)
		}
		if bi := nearestTapered(c, r, flip, cfg); bi >= 0 {
			add(&r.tapered[bi][flip], itemTapered)
		}
		if sm := nearestSmall(c, r.small); sm != nil {
			for i := range sm.views {
				v := &sm.views[i][flip]
				if sm.repeatsHalfCut(i, flip) {
					continue
				}
				if alignedGates(c, v, cfg) {
					add(v, itemSmall)
				}
			}
		}
		return q
	}
	if radialDist(&c.rad, &r.rad) > cfg.MaxRadial {
		return q
	}
	s := fastSearch(0)
	if tol, score := r.rings.bound(&c.view, &c.rings); tol <= cfg.CoarseMin || score < floor-s.ringSlack() {
		return q
	}
	lo, hi, ok := roundAngles(c, r)
	if !ok {
		return q
	}
	bi := s.bestAngle(c, r, lo, hi, cfg)
	if bi < 0 {
		return q
	}
	v := &r.views[bi]
	if s0, est := scoreEstimate(&c.view, v); s0 >= floor-refineSlack {
		q = append(q, queuedView{ref: ri, kind: itemRound, angle: int8(bi), view: v, s0: s0, est: est})
	}
	return q
}

// alignedGates reports whether c's aligned view passes alignedScore's
// gates before the unshifted score against v.
func alignedGates(c *candidate, v *shapeView, cfg Config) bool {
	return similarArea(c.aligned, v) && bits.OnesCount64(v.hash^c.aligned.hash) <= cfg.HashMaxDist && maskTolerantF(c.aligned, v) >= cfg.CoarseMin
}

// cutEstimate is what the cut takes a refinement of c against v to give
// at most: the score with both overlaps, of the masks and of the
// concavities, taken with the one-cell tolerance (tolerantF), which a
// shift of a cell hardly moves, where the score takes half of each
// strictly (IoU), which a shift moves most (a 57 px JBL of seed 44 went
// from under 0.57 unshifted to 0.814 refined).
func cutEstimate(c, v *shapeView) float64 {
	first, last := c.concRows.near(v.concRows)
	k := tolerantF(&c.conc, &c.concD, &v.conc, &v.concD, c.concN, v.concN, first, last)
	return 0.5 * (maskTolerantF(c, v) + k)
}

// refineQueue is the second pass for one region: its queued views
// refined in reference order, each pair against the need the single pass
// gave it, with the single pass's best and second.
func refineQueue(c *candidate, q []queuedView, refs []*prepared, floor float64) shapeMatch {
	best := shapeMatch{cand: c}
	for start := 0; start < len(q); {
		end := start + 1
		for end < len(q) && q[end].ref == q[start].ref {
			end++
		}
		r := refs[q[start].ref]
		s := refinePair(c, q[start:end], r, fastSearch(best.need(r)))
		start = end
		best.offer(r, s)
	}
	return best
}

// refineRound is a round pair's refined score from its queued view it:
// the best translation of the region against the reference's views at
// the search's angle and its two neighbours, the climb at that angle
// starting from its unshifted score.
func refineRound(c *candidate, it *queuedView, r *prepared) float64 {
	shifts := c.shifted()
	best := 0.0
	bi := int(it.angle)
	for i := max(0, bi-1); i <= min(numAngles-1, bi+1); i++ {
		center := -1.0
		if i == bi {
			center = it.s0
		}
		best = max(best, bestShiftFrom(shifts, &r.views[i], center))
	}
	return best
}

// refinePair is scoreSearch's score for a pair from its queued views.
func refinePair(c *candidate, q []queuedView, r *prepared, s search) float64 {
	if q[0].kind == itemRound {
		if s.skipRefine(q[0].s0) {
			return 0
		}
		return refineRound(c, &q[0], r)
	}
	best, small := 0.0, 0.0
	for i := range q {
		it := &q[i]
		switch it.kind {
		case itemAligned:
			if !s.skipRefine(it.s0) {
				best = bestShiftFrom(c.alignedShifted(), it.view, it.s0)
			}
		case itemTapered:
			if !s.after(best, taperCost).skipRefine(it.s0) {
				best = math.Max(best, bestShiftFrom(c.alignedShifted(), it.view, it.s0)-taperCost)
			}
		case itemSmall:
			small = math.Max(small, bestShiftFrom(c.alignedShifted(), it.view, it.s0))
		}
	}
	return math.Max(best, math.Max(0, small-smallCost))
}
