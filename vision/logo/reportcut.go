package logo

import (
	"image"
	"math"
	"math/bits"
	"sort"
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
	var left []int
	for i, c := range cands {
		if m, ok := refineRanked(c, queues[i], refs, cut); ok && m.score >= floor {
			out = append(out, m)
		} else {
			left = append(left, i)
		}
	}
	if cfg.NearLooks > 0 {
		out = append(out, nearMatches(cands, queues, left, out, refs, cfg, floor, cut)...)
	}
	return out
}

// nearMatches is the second look at the regions the report cut left
// (left, indices into cands): a thin wordmark under blur, perspective and
// JPEG, or a detailed emblem, fits its own reference's 64×64 silhouette
// at 0.6-0.72 (docs/benchmarks.md, "Near misses, session 14"), under
// ShapeMid, where the cut drops it, while the grey template aligned on
// the photo still tells it from a blob that fits as well (see ecc.go).
// Each region whose best estimate reaches the queue floor has its best
// pair refined; ranked by how far the refined score lies under its
// reference's midpoint (fitMid), at most cfg.NearLooks regions a photo,
// none overlapping a kept match's region or one taken before (one look a
// place), have their first pairs refined, the reference lying highest
// over its own midpoint taken (nearBest), and are returned marked near,
// for the learned decision to weigh (decideShape).
func nearMatches(cands []*candidate, queues [][]queuedView, left []int, kept []shapeMatch, refs []*prepared, cfg Config, floor, cut float64) []shapeMatch {
	type look struct {
		i     int
		z     float64
		pairs []rankedPair
		first float64 // the first pair's refined score
	}
	var looks []look
	for _, i := range left {
		pairs := rankPairs(queues[i])
		if len(pairs) == 0 || pairs[0].est < floor {
			continue
		}
		c := cands[i]
		r := refs[pairs[0].q[0].ref]
		s := refineOver(c, pairs[0].q, r, 0)
		if s < floor || s >= cut {
			continue
		}
		L := max(c.box.Dx(), c.box.Dy())
		looks = append(looks, look{i, s - cfg.fitMid(r.nullMax, L), pairs, s})
	}
	sort.SliceStable(looks, func(a, b int) bool { return looks[a].z > looks[b].z })
	var out []shapeMatch
	taken := make([]image.Rectangle, 0, len(kept)+cfg.NearLooks)
	for _, m := range kept {
		taken = append(taken, m.cand.box)
	}
	for _, l := range looks {
		if len(out) == cfg.NearLooks {
			break
		}
		c := cands[l.i]
		if overlapsAny(c.box, taken) {
			continue
		}
		m := nearBest(c, l.pairs, l.first, refs, cfg, floor)
		if m.ref == nil || m.score < floor || m.score >= cut {
			continue
		}
		m.near = true
		out = append(out, m)
		taken = append(taken, c.box)
	}
	return out
}

// nearBest is a second look's match on region c: of its first
// rankedTries pairs by the estimate (pairs, rankPairs' order; those of
// estimate floor or more), each refined (the first's score, first, is
// nearMatches' already), the reference whose score lies highest over its own
// midpoint (fitMid), with the best score of another brand as the second.
// The top raw score is not the reference to look at under the midpoints:
// with a thousand references it is often one whose score its null-corpus
// best reaches too (a chance fit), over the mark's own reference
// (docs/benchmarks.md, "Marks lost from 16 to 1,000 references, session
// 15").
func nearBest(c *candidate, pairs []rankedPair, first float64, refs []*prepared, cfg Config, floor float64) shapeMatch {
	L := max(c.box.Dx(), c.box.Dy())
	type fit struct {
		r *prepared
		s float64
	}
	var fits []fit
	for k, p := range pairs {
		if len(fits) == rankedTries || p.est < floor {
			break
		}
		r, s := refs[p.q[0].ref], first
		if k > 0 {
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
