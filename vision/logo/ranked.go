package logo

import "sort"

// This file holds the report cut's second pass as matchShapes runs it:
// a region's queued pairs refined best first by the cut's estimate
// (scoreEstimate, the tolerant overlap of masks and concavities), which
// lies over the refined score of the views that decide a region (its
// best and the best of another brand) on the benchmark's seeds 42 and 44
// (docs/benchmarks.md, "Matching at 1,000 references, session 9"). Taken
// as a bound, it lets the pass skip what cannot change the region:
//
//   - a pair whose estimate is no more than what it must beat to change
//     the region's best or second (shapeMatch.need);
//   - the rest of a region once no pair left can reach the report floor
//     by its estimate and none refined so far has: the region cannot be
//     reported, as the first pass's cut already assumes of a region
//     whose every view lies under the floor by the estimate.
//
// In reference order (refineQueue, in the tests) the first references
// met set low needs, so most of a region's queue was refined; best first,
// the best and second are known after a few pairs.

// rankedPair is one reference's queued views on a region, with the
// highest of their estimates less cost.
type rankedPair struct {
	q   []queuedView
	est float64
}

// rankedTries is how many pairs refineRanked refines on a region whose
// best stays under the cut before it gives the region up. Best first by
// the estimate, the pair that lifts a region over the cut is nearly
// always the first refined: on seeds 42 and 44 at 1,000 references
// (4,442 regions whose best reached the report floor), 4,215 reached it
// at the first pair, 134 at the second, 37 at the third, 17 at the
// fourth, 13 at the fifth or sixth and 26 at the seventh or later (the
// regions this limit drops), while the regions that never reach it (92%
// of those refined) had every pair of estimate over the cut refined.
// The limit cuts the pairs refined a photo by 40% (docs/benchmarks.md,
// "Matching at 1,000 references, session 11").
const rankedTries = 6

// refineRanked is the second pass for region c (queue q): its match, and
// false when it cannot be reported (its best stays under cut by the
// estimates, or after rankedTries refinements).
func refineRanked(c *candidate, q []queuedView, refs []*prepared, cut float64) (shapeMatch, bool) {
	m, ok, _, _ := refineRankedUpTo(c, q, refs, cut, rankedTries)
	return m, ok
}

// refineRankedUpTo is refineRanked giving a region up after tries refined
// pairs under the cut; it also returns how many refined pairs left the
// best under the cut and how many it refined in all.
func refineRankedUpTo(c *candidate, q []queuedView, refs []*prepared, cut float64, tries int) (best shapeMatch, ok bool, misses, refined int) {
	return refinePairs(c, rankPairs(q), refs, cut, tries, nil)
}

// refinePairs is refineRankedUpTo over c's pairs ranked by rankPairs.
// Where scores is not nil, scores[k] is set to pair k's refined score
// when the refinement gives it exactly (over the score it had to beat: a
// view left unrefined for its estimate under that would not have
// raised it), for k under len(scores); the second look reuses them
// (nearMatches).
func refinePairs(c *candidate, pairs []rankedPair, refs []*prepared, cut float64, tries int, scores []float64) (best shapeMatch, ok bool, misses, refined int) {
	best = shapeMatch{cand: c}
	if len(pairs) == 0 || pairs[0].est < cut {
		return best, false, 0, 0
	}
	for k, p := range pairs {
		if best.score < cut && (p.est < cut || misses == tries) {
			return best, false, misses, refined
		}
		r := refs[p.q[0].ref]
		need := best.need(r)
		if p.est <= need {
			continue
		}
		s := refineOver(c, p.q, r, need)
		if k < len(scores) && s > need {
			scores[k] = s
		}
		best.offer(r, s)
		refined++
		if best.score < cut {
			misses++
		}
	}
	return best, best.score >= cut, misses, refined
}

// refineOver is refinePair for a pair whose score must beat need to
// change anything: a view is refined when its estimate beats need (a
// tapered view: also the aligned view's refined score), where refinePair
// asks its unshifted score plus refineSlack to. Estimates under the
// refined score are rarer than unshifted scores a shift lifts by more
// than refineSlack, and an unshifted score says nothing to the order: in
// estimate order that rule left out seconds the reference order had
// refined, and the margins rose (docs/benchmarks.md, session 9).
func refineOver(c *candidate, q []queuedView, r *prepared, need float64) float64 {
	if q[0].kind == itemRound {
		return refineRound(c, &q[0], r)
	}
	best, small := 0.0, 0.0
	for i := range q {
		it := &q[i]
		switch {
		case it.kind == itemAligned && it.est > need:
			best = bestShiftFrom(c.alignedShifted(), it.view, it.s0)
		case it.kind == itemTapered && it.est > max(need, best):
			best = max(best, bestShiftFrom(c.alignedShifted(), it.view, it.s0)-taperCost)
		case it.kind == itemSmall && it.est > need:
			small = max(small, bestShiftFrom(c.alignedShifted(), it.view, it.s0))
		}
	}
	return max(best, small-smallCost)
}

// rankPairs is pairsOf(q), highest estimate first; pairs of equal
// estimate keep the reference order.
func rankPairs(q []queuedView) []rankedPair {
	pairs := pairsOf(q)
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].est > pairs[j].est })
	return pairs
}

// pairsOf groups q (in reference order) by reference, each pair with its
// highest estimate.
func pairsOf(q []queuedView) []rankedPair {
	var pairs []rankedPair
	for start := 0; start < len(q); {
		end := start + 1
		for end < len(q) && q[end].ref == q[start].ref {
			end++
		}
		p := rankedPair{q: q[start:end], est: -1}
		for i := range p.q {
			p.est = max(p.est, p.q[i].est)
		}
		pairs = append(pairs, p)
		start = end
	}
	return pairs
}

// scoreEstimate is shapeScore(c, v) and the cut's estimate (cutEstimate,
// its definition in the tests) from one pass over each pair of grids: the
// tolerant overlap is one of the score's two terms, so the first pass
// gets the estimate with its score.
func scoreEstimate(c, v *shapeView) (s0, est float64) {
	ma, mt := agreementTol(&c.mask, &c.maskD, &v.mask, &v.maskD, c.maskN, v.maskN, c.maskRows, v.maskRows)
	ka, kt := agreementTol(&c.conc, &c.concD, &v.conc, &v.concD, c.concN, v.concN, c.concRows, v.concRows)
	return combine(ma, ka), 0.5 * (mt + kt)
}

// agreementTol is agreement and tolerantF of a and b, whose rows holding
// a cell are sa and sb, in agreement's one pass.
func agreementTol(a, aD, b, bD *bitgrid, an, bn int, sa, sb rowSpan) (agree, tol float64) {
	if an+bn == 0 {
		return 0, 0
	}
	first, last := sa.near(sb)
	in, hit := crossings(a, aD, b, bD, first, last)
	tol = float64(hit) / float64(an+bn)
	return 0.5*(float64(in)/float64(an+bn-in)) + 0.5*tol, tol
}
