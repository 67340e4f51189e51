package logo

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sort"
)

// This file holds matchShapes' staged search. With a thousand references
// about 40% of the matching went to refinements (bestShift climbing over
// translations at three angles), and a region reports only its best
// reference and the best score of another brand: a pair whose refined
// score cannot beat either changes nothing. The fast search of search.go
// skipped such a refinement, but against the best and second the region
// had reached so far in reference order.
//
// So the search runs in two passes. The first, over references as
// before, computes for every pair what the search computes before
// refining (the gates, the best angle or view, the unshifted score there)
// and queues each refinement it would make, with its estimate: the
// unshifted score plus refineSlack, what a shift rarely gains (the fast
// search's own assumption), less the view's cost. The second refines a
// region's queued views from the highest estimate down, skipping one
// whose estimate cannot beat what the region needs by then (its best, for
// the best's brand; its second, for another), and stopping once no
// estimate left beats its second. Every runner-up that can still matter
// to the margin is thus refined as before.
//
// Measured (docs/benchmarks.md, "Matching at 1,000 references, session
// 7"): the detections are main's, but nearly every refinement lies in a
// region whose best stays under the matcher's floor, where the need is low
// in any order, so the second pass refines about as many views as the
// single pass did and the photo costs about the same. What would pay is
// leaving the regions that cannot be reported, which needs an estimate a
// translation moves less than the unshifted score (a 57 px JBL of seed 44
// gains 0.24 from a shift).

// refineItem is one queued refinement: region slot, reference, and the
// view (a reference angle for round references, whose neighbours are
// refined too, or an aligned, tapered or small view).
type refineItem struct {
	slot int32
	ref  int32
	// angle is the best search angle of a round pair, or -1.
	angle int32
	// always marks a view refined whatever its estimate.
	always bool
	view   *shapeView
	// s0 is the unshifted score; cost is subtracted from the view's
	// refined score (taperCost, smallCost).
	s0, cost float64
	est      float64
}

// estimate sets it.est, the most the refinement is taken to give when a
// shift gains at most slack.
func (it *refineItem) estimate(slack float64) {
	if it.always {
		it.est = math.Inf(1)
		return
	}
	it.est = it.s0 + slack - it.cost
}

// before reports whether it comes before o in a region's second pass:
// higher estimate first, then reference order.
func (it *refineItem) before(o *refineItem) bool {
	return it.est > o.est || (it.est == o.est && it.ref < o.ref)
}

// stagedSlot is one region's running result in the second pass; idx is
// the position of its best reference in refs, which breaks exact ties as
// the single pass in reference order did.
type stagedSlot struct {
	ecc  float64
	idx  int
	best shapeMatch
}

// matchShapesStaged is matchShapes by the staged search (see above).
func matchShapesStaged(cands []*candidate, refs []*prepared, cfg Config) []shapeMatch {
	floor := cfg.ShapeMid - 6*cfg.ShapeWidth // conf < 0.01
	slots, items := queueAll(cands, refs, cfg, floor)
	refineStaged(items, slots, refs, refineSlack)
	var out []shapeMatch
	for _, sl := range slots {
		if sl.best.ref != nil && sl.best.score >= floor {
			out = append(out, sl.best)
		}
	}
	return out
}

// queueAll is the first pass: every region's slot, and the refinements
// queued for its pairs, met reference by reference (see matchShapesBy).
func queueAll(cands []*candidate, refs []*prepared, cfg Config, floor float64) ([]stagedSlot, []refineItem) {
	slots := make([]stagedSlot, len(cands))
	byEcc := make([]int32, len(cands))
	for i, c := range cands {
		slots[i] = stagedSlot{ecc: math.Log(math.Max(c.mo.ecc, 1e-3)), idx: -1, best: shapeMatch{cand: c}}
		byEcc[i] = int32(i)
	}
	sort.Slice(byEcc, func(i, j int) bool { return slots[byEcc[i]].ecc < slots[byEcc[j]].ecc })
	var items []refineItem
	for ri, r := range refs {
		below, above := cfg.eccWindow(r)
		lo := sort.Search(len(byEcc), func(i int) bool { return r.logEcc <= slots[byEcc[i]].ecc+below })
		for _, si := range byEcc[lo:] {
			if r.logEcc < slots[si].ecc-above {
				break
			}
			items = queueRefinements(items, si, int32(ri), slots[si].best.cand, r, cfg, floor)
		}
	}
	return slots, items
}

// refineStaged is the second pass over the queued refinements, taking
// a shift to gain at most slack; it returns how many it refined.
func refineStaged(items []refineItem, slots []stagedSlot, refs []*prepared, slack float64) int {
	for i := range items {
		items[i].estimate(slack)
	}
	slices.SortFunc(items, func(a, b refineItem) int {
		if c := cmp.Compare(a.slot, b.slot); c != 0 {
			return c
		}
		if a.before(&b) {
			return -1
		}
		if b.before(&a) {
			return 1
		}
		return 0
	})
	n := 0
	for start := 0; start < len(items); {
		end := start + 1
		for end < len(items) && items[end].slot == items[start].slot {
			end++
		}
		seg := items[start:end]
		start = end
		sl := &slots[seg[0].slot]
		best := &sl.best
		for i := range seg {
			it := &seg[i]
			r := refs[it.ref]
			if best.ref != nil && it.est <= best.second {
				// Sorted by estimate: nothing left in this region beats
				// its second, nor its best.
				break
			}
			if it.est <= best.stagedNeed(r) {
				continue
			}
			n++
			s := refineQueued(best.cand, r, it)
			switch {
			case s > best.score || (s == best.score && best.ref != nil && int(it.ref) < sl.idx):
				if best.ref != nil && best.ref.brandID != r.brandID {
					best.second = best.score
				}
				best.ref, best.score, sl.idx = r, s, int(it.ref)
			case s > best.second && best.ref != nil && best.ref.brandID != r.brandID:
				best.second = s
			}
		}
	}
	return n
}

// stagedNeed is need, except for the reference that holds the best: its
// other views need only beat the second. The single pass met a pair's
// views one after the other, its plain view first, against what the
// other references had reached; here a small rendering, refined first
// (it always is), would otherwise raise the bar for its own plain view,
// whose shifts can gain more than refineSlack (a 70 px Samsung of
// TestFindsRegisteredMarks: 0.561 unshifted, 0.736 refined).
func (m *shapeMatch) stagedNeed(r *prepared) float64 {
	if m.ref == r {
		return m.second
	}
	return m.need(r)
}

// queueRefinements appends the refinements scoreSearch would make for
// region c (slot si) and reference r (refs[ri]), with the gates it
// applies before refining.
func queueRefinements(items []refineItem, si, ri int32, c *candidate, r *prepared, cfg Config, floor float64) []refineItem {
	s := fastSearch(0)
	if r.aniso {
		if c.alignedView() == nil {
			return items
		}
		diff := c.mo.theta - r.mo.theta
		th := wrap90(diff)
		if math.Abs(th) > maxAngle+angleStep {
			return items
		}
		flip := 0
		if math.Abs(diff-th) > 90 {
			flip = 1
		}
		queue := func(v *shapeView, cost float64, always, gated bool) {
			if !gated && (!similarArea(c.aligned, v) || bits.OnesCount64(v.hash^c.aligned.hash) > cfg.HashMaxDist || maskTolerantF(c.aligned, v) < cfg.CoarseMin) {
				return
			}
			if s0 := shapeScore(c.aligned, v); s0 >= floor-refineSlack {
				items = append(items, refineItem{slot: si, ref: ri, angle: -1, view: v, s0: s0, cost: cost, always: always})
			}
		}
		queue(&r.aligned[flip], 0, false, false)
		bi, bs := -1, cfg.CoarseMin
		for i := range r.tapered {
			v := &r.tapered[i][flip]
			if !similarArea(c.aligned, v) || bits.OnesCount64(v.hash^c.aligned.hash) > cfg.HashMaxDist {
				continue
			}
			if t := maskTolerantF(c.aligned, v); t > bs {
				bi, bs = i, t
			}
		}
		if bi >= 0 {
			queue(&r.tapered[bi][flip], taperCost, false, true)
		}
		// Small renderings are refined whatever their unshifted score,
		// as scoreSearch does.
		if sm := nearestSmall(c, r.small); sm != nil {
			for i := range sm.views {
				queue(&sm.views[i][flip], smallCost, true, false)
			}
		}
		return items
	}
	if radialDist(&c.rad, &r.rad) > cfg.MaxRadial {
		return items
	}
	if tol, capped := r.rings.bound(&c.view, &c.rings); tol <= cfg.CoarseMin || capped < floor-s.ringSlack() {
		return items
	}
	lo, hi := 0, numAngles-1
	if r.mo.ecc < 0.6 && c.mo.ecc < 0.7 {
		th := wrap90(c.mo.theta - r.mo.theta)
		if math.Abs(th) > maxAngle+angleStep {
			return items
		}
		i := int(math.Round((th + maxAngle) / angleStep))
		lo, hi = max(0, i-1), min(numAngles-1, i+1)
	}
	// The angle search is made here, with r's views in cache (see
	// matchShapes): made region by region in the second pass, only when
	// the ring cap could matter, it skipped most searches but cost twice
	// as much (46 against 22.5 ms a photo at 1,000 references), each
	// reading r's views from memory.
	bi := s.bestAngle(c, r, lo, hi, cfg)
	if bi < 0 {
		return items
	}
	if s0 := shapeScore(&c.view, &r.views[bi]); s0 >= floor-refineSlack {
		items = append(items, refineItem{slot: si, ref: ri, angle: int32(bi), s0: s0})
	}
	return items
}

// refineQueued is the refined score of a queued refinement, as
// scoreSearch computes it.
func refineQueued(c *candidate, r *prepared, it *refineItem) float64 {
	if it.angle < 0 {
		return math.Max(0, bestShift(c.alignedShifted(), it.view)-it.cost)
	}
	shifts := c.shifted()
	best := 0.0
	bi := int(it.angle)
	for i := max(0, bi-1); i <= min(numAngles-1, bi+1); i++ {
		best = math.Max(best, bestShift(shifts, &r.views[i]))
	}
	return best
}
