package logo

import (
	"container/heap"
	"image"
	"math"
	"math/bits"
)

// This file holds matchShapes' report cut. With a thousand references the
// refinements (bestShift climbing over translations at three angles) are
// the largest part of the matching, and most of the views queued for them
// (78% on seeds 42 and 44) lie in regions whose best score stays under
// ShapeMid: the learned decision considers none of those, whatever their
// runners-up, since it takes a match only from a fit confidence,
// sigmoid((score-midpoint)/ShapeWidth) with the midpoint at least ShapeMid,
// of decideFitMin (see reportFloor); only a few get a second look
// (nearMatches).
//
// So the search runs in two passes. The first, over references (a
// reference's views stay in cache), applies every gate the fast search
// applies before refining, and queues what it would refine, with an
// estimate of the refined score that a translation moves little (the
// tolerant overlap of masks and concavities, scoreEstimate). A region
// none of whose queued views reaches the report floor by that estimate
// plus cutSlack is left without refining anything: it could not be
// reported. The second pass refines the other regions' queued pairs best
// first by the estimate (refineRanked, ranked.go). The tests hold both
// passes to the single pass over references with scoreSearch
// (matchShapesBy, singlepass_test.go): refined in reference order, the
// regions the cut keeps get its very scores, seconds and references
// (TestReportCutKeepsMatches).

// reportFloor is the shape score at which the fit confidence,
// sigmoid((score-mid)/ShapeWidth) with mid >= ShapeMid, reaches
// cfg.MinConfidence. At the default MinConfidence, 0.5 (decideFitMin),
// it is ShapeMid: the learned decision takes no match under it (but a
// second look's).
func (c Config) reportFloor() float64 {
	p := math.Min(math.Max(c.MinConfidence, 1e-9), 1-1e-9)
	return c.ShapeMid + c.ShapeWidth*math.Log(p/(1-p))
}

// queueFloor is the least unshifted score a region's view is queued at in
// the first pass (queueViews): a fit confidence under 0.01 at ShapeMid.
func (c Config) queueFloor() float64 { return c.ShapeMid - 6*c.ShapeWidth }

// cutSlack is how far under the report floor a queued view's estimate
// (scoreEstimate) may lie and its region still be refined. The estimate
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

// queuedView is one refinement the fast search could make for a
// (region, reference) pair, past every gate that does not depend on the
// region's best so far.
type queuedView struct {
	ref   int32
	kind  uint8
	angle int8 // the best angle of a round pair
	view  *shapeView
	// s0 is the unshifted score, est the cut's estimate (scoreEstimate)
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

// matchShapes scores every candidate against the flat references and
// keeps, per candidate, the best reference whose refined score is worth
// reporting: the regions that cannot be reported at cfg.MinConfidence are
// left out (the report cut, see above), the others refined best first
// (refineRanked). A candidate is compared with the references whose
// eccentricity is within MaxLogEcc of its own (queueViews).
func matchShapes(cands []*candidate, refs []*prepared, cfg Config) []shapeMatch {
	floor := cfg.queueFloor()
	queues := queueViews(cands, refs, cfg, floor)
	cut := cfg.reportFloor() - cutSlack
	var out []shapeMatch
	var left []nearRegion
	for i, c := range cands {
		pairs := rankPairs(queues[i])
		var scores []float64
		if cfg.NearLooks > 0 && len(pairs) > 0 && pairs[0].est >= floor {
			scores = make([]float64, min(rankedTries, len(pairs)))
			for k := range scores {
				scores[k] = -1
			}
		}
		if m, ok, _, _ := refinePairs(c, pairs, refs, cut, rankedTries, scores); ok && m.score >= floor {
			out = append(out, m)
		} else if scores != nil {
			left = append(left, nearRegion{i, pairs, scores})
		}
	}
	if cfg.NearLooks > 0 {
		out = append(out, nearMatches(cands, left, out, refs, cfg, floor, cut)...)
	}
	return out
}

// nearRegion is a region the report cut left, for the second look: its
// index in cands, its pairs (rankPairs) and the refined scores of its
// first rankedTries pairs, -1 where not refined yet.
type nearRegion struct {
	i      int
	pairs  []rankedPair
	scores []float64
}

// nearMatches is the second look at the regions the report cut left
// (left, indices into cands): a thin wordmark under blur, perspective and
// JPEG, or a detailed emblem, fits its own reference's 64×64 silhouette
// at 0.6-0.72 (docs/benchmarks.md, "Near misses, session 14"), under
// ShapeMid, where the cut drops it, while the grey template aligned on
// the photo still tells it from a blob that fits as well (see ecc.go).
// Regions whose best estimate reaches the queue floor are ranked by the
// score lying highest over its reference's midpoint (fitMid) of their
// first rankedTries pairs (those of estimate floor or more, refined, in
// [floor, cut)): the reference nearBest takes. At most cfg.NearLooks
// regions a photo, none overlapping a kept match's region or one taken
// before (one look a place), are returned best first, marked near, for
// the learned decision to weigh (decideShape).
//
// The ranking is found best first (lookQueue): a pair is refined only
// when its estimate over its midpoint, which a refined score rarely
// exceeds, could still rank its region among the looks. Ranking a region
// by its first pair's reference alone spent the looks, at 1,000
// references, on chance fits of marks that fit any blob while a mark's
// own reference came second or later on its region, and dropped a region
// whose first pair refined under the floor (docs/benchmarks.md, "Second
// looks at 1,000 references, session 21").
func nearMatches(cands []*candidate, left []nearRegion, kept []shapeMatch, refs []*prepared, cfg Config, floor, cut float64) []shapeMatch {
	var q lookQueue
	for j, l := range left {
		L := max(cands[l.i].box.Dx(), cands[l.i].box.Dy())
		for k, p := range l.pairs[:len(l.scores)] {
			if p.est < floor {
				break
			}
			it := lookItem{z: p.est - cfg.fitMid(refs[p.q[0].ref].nullMax, L), j: j, k: k, s: -1}
			if s := l.scores[k]; s >= 0 {
				if s < floor || s >= cut {
					continue
				}
				it.z, it.s = s-cfg.fitMid(refs[p.q[0].ref].nullMax, L), s
			}
			q = append(q, it)
		}
	}
	heap.Init(&q)
	var out []shapeMatch
	taken := make([]image.Rectangle, 0, len(kept)+cfg.NearLooks)
	for _, m := range kept {
		taken = append(taken, m.cand.box)
	}
	done := make([]bool, len(left))
	for q.Len() > 0 && len(out) < cfg.NearLooks {
		it := heap.Pop(&q).(lookItem)
		l := &left[it.j]
		c := cands[l.i]
		if done[it.j] {
			continue
		}
		if overlapsAny(c.box, taken) {
			done[it.j] = true
			continue
		}
		if it.s < 0 {
			p := l.pairs[it.k]
			r := refs[p.q[0].ref]
			s := refineOver(c, p.q, r, 0)
			l.scores[it.k] = s
			if s >= floor && s < cut {
				heap.Push(&q, lookItem{z: s - cfg.fitMid(r.nullMax, max(c.box.Dx(), c.box.Dy())), j: it.j, k: it.k, s: s})
			}
			continue
		}
		// Every pair of the region whose estimate could beat it refined:
		// its look.
		done[it.j] = true
		m := nearBest(c, l.pairs, l.scores, refs, cfg, floor)
		if m.ref == nil || m.score < floor || m.score >= cut {
			continue
		}
		m.near = true
		out = append(out, m)
		taken = append(taken, c.box)
	}
	return out
}

// lookItem is one of a region's pairs in nearMatches' ranking: region
// left[j]'s pair k, with its estimate over its reference's midpoint
// until refined (s -1), then its refined score s and z = s less the
// midpoint.
type lookItem struct {
	z    float64
	j, k int
	s    float64
}

// lookQueue is a max-heap of lookItems by z (container/heap); ties go to
// the earlier region and pair, for a deterministic order.
type lookQueue []lookItem

func (q lookQueue) Len() int { return len(q) }
func (q lookQueue) Less(a, b int) bool {
	if q[a].z != q[b].z {
		return q[a].z > q[b].z
	}
	if q[a].j != q[b].j {
		return q[a].j < q[b].j
	}
	return q[a].k < q[b].k
}
func (q lookQueue) Swap(a, b int) { q[a], q[b] = q[b], q[a] }
func (q *lookQueue) Push(x any)   { *q = append(*q, x.(lookItem)) }
func (q *lookQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// nearBest is a second look's match on region c: of its first
// rankedTries pairs by the estimate (pairs, rankPairs' order; those of
// estimate floor or more), each refined (known[k] is pair k's refined
// score where 0 or more: nearMatches' already), the reference whose score
// lies highest over its own midpoint (fitMid), with the best score of
// another brand as the second. The top raw score is not the reference to
// look at under the midpoints: with a thousand references it is often one
// whose score its null-corpus best reaches too (a chance fit), over the
// mark's own reference (docs/benchmarks.md, "Marks lost from 16 to 1,000
// references, session 15").
func nearBest(c *candidate, pairs []rankedPair, known []float64, refs []*prepared, cfg Config, floor float64) shapeMatch {
	L := max(c.box.Dx(), c.box.Dy())
	type fit struct {
		r *prepared
		s float64
	}
	var fits []fit
	for j, p := range pairs {
		if len(fits) == rankedTries || p.est < floor {
			break
		}
		r := refs[p.q[0].ref]
		s := -1.0
		if j < len(known) {
			s = known[j]
		}
		if s < 0 {
			s = refineOver(c, p.q, r, 0)
		}
		fits = append(fits, fit{r, s})
	}
	m := shapeMatch{cand: c}
	bz := math.Inf(-1)
	for _, f := range fits {
		if z := f.s - cfg.fitMid(f.r.nullMax, L); z > bz {
			m.ref, m.score, bz = f.r, f.s, z
		}
	}
	for _, f := range fits {
		if m.ref != nil && f.r.brandID != m.ref.brandID && f.s > m.second {
			m.second, m.secondRef = f.s, f.r
		}
	}
	return m
}

// overlapsAny reports whether box b overlaps any of boxes at IoU 0.5 or
// more.
func overlapsAny(b image.Rectangle, boxes []image.Rectangle) bool {
	for _, o := range boxes {
		if boxOverlap(b, o) >= 0.5 {
			return true
		}
	}
	return false
}

// queueViews is the first pass: every region's queue, met reference by
// reference, each reference over the regions in its eccentricity window
// (eccOrder.window), in the order of refs (sorted by eccentricity). A
// reference's views at every angle (about 50 KB) then stay in cache while
// the regions' single views are compared with them, where a loop over
// regions would stream every reference's views from memory once per
// region.
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
