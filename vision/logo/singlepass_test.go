package logo

import "math"

// This file holds the definitions the report cut (reportcut.go, ranked.go)
// is tested and studied against: the single pass over references with
// scoreSearch that matchShapes ran before the cut, its refinement of a
// queued pair in reference order, and the cut's estimate as first written.
// Detect runs none of them.

// matchShapesBy is the single pass: every region against the references
// of its eccentricity window, reference by reference, with the shortcuts
// of fastSearch when fast is set, with the full search otherwise.
func matchShapesBy(cands []*candidate, refs []*prepared, cfg Config, fast bool) []shapeMatch {
	floor := cfg.queueFloor()
	best := make([]shapeMatch, len(cands))
	for i, c := range cands {
		best[i].cand = c
	}
	order := byEccentricity(cands)
	for _, r := range refs {
		for _, ci := range order.window(r, cfg) {
			m := &best[ci]
			mode := exactSearch
			if fast {
				mode = fastSearch(m.need(r))
			}
			m.offer(r, scoreSearch(m.cand, r, cfg, floor, mode))
		}
	}
	var out []shapeMatch
	for _, m := range best {
		if m.ref != nil && m.score >= floor {
			out = append(out, m)
		}
	}
	return out
}

// reachable reports whether the estimate of one of the queued views
// reaches cut; it stops at the first that does.
func reachable(q []queuedView, cut float64) bool {
	for i := range q {
		if q[i].est >= cut {
			return true
		}
	}
	return false
}

// cutEstimate is what the cut takes a refinement of c against v to give
// at most: the score with both overlaps, of the masks and of the
// concavities, taken with the one-cell tolerance (tolerantF), which a
// shift of a cell hardly moves, where the score takes half of each
// strictly (IoU), which a shift moves most (a 57 px JBL of seed 44 went
// from under 0.57 unshifted to 0.814 refined). scoreEstimate computes it
// with the score.
func cutEstimate(c, v *shapeView) float64 {
	first, last := c.concRows.near(v.concRows)
	k := tolerantF(&c.conc, &c.concD, &v.conc, &v.concD, c.concN, v.concN, first, last)
	return 0.5 * (maskTolerantF(c, v) + k)
}

// refineQueue is the second pass for one region as the single pass would
// make it: its queued pairs refined in reference order, each against the
// need the single pass gave it, with the single pass's best and second.
func refineQueue(c *candidate, q []queuedView, refs []*prepared, floor float64) shapeMatch {
	best := shapeMatch{cand: c}
	for _, p := range pairsOf(q) {
		r := refs[p.q[0].ref]
		best.offer(r, refinePair(c, p.q, r, fastSearch(best.need(r))))
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
