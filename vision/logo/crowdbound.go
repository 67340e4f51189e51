package logo

import (
	"cmp"
	"math"
	"slices"
)

// This file makes the crowd check (crowd.go) cheaper without changing what
// it returns. The check wants the CrowdRank-th best score of the other
// brands on one region, counting scores at or over a floor; it used to run
// the full search (scoreRef) against every reference in the region's
// eccentricity window. Most of those searches cannot change the answer: a
// reference moves the CrowdRank-th best brand score only by beating it, and
// counts at all only by reaching the floor. So every reference gets an
// upper bound on its refined score first (ring counts, as in ringbound.go,
// but over every translation the refinement may try), the references are
// searched from the highest bound down, and the search stops when the
// bound left cannot beat what it would have to beat. The bound is
// arithmetic on counts, never an estimate (TestCrowdBoundCapsScore), so
// the answer is the full check's (TestCrowdScoreMatchesDefinition).

// shiftRings caps a region view under every translation of the refinement:
// per ring the most mask, concavity and dilated cells any translated view
// holds there, and the range of their mask and concavity counts (cells
// fall off the grid at its edge).
type shiftRings struct {
	most           ringCounts
	maskLo, maskHi int
	concLo, concHi int
}

func shiftRingsOf(s *shiftSet) shiftRings {
	out := shiftRings{maskLo: math.MaxInt, concLo: math.MaxInt}
	for i := range shiftN {
		v := s.at(i)
		rc := ringCountsOf(v)
		out.most.raise(&rc)
		out.maskLo, out.maskHi = min(out.maskLo, v.maskN), max(out.maskHi, v.maskN)
		out.concLo, out.concHi = min(out.concLo, v.concN), max(out.concHi, v.concN)
	}
	return out
}

// shiftBound caps the shape score of any translated view sr covers against
// any view e covers (see ringEnvelope.bound: two cells coincide, or lie
// within one cell of each other, only within one ring).
func (e *ringEnvelope) shiftBound(sr *shiftRings) float64 {
	var mIn, mHit, cIn, cHit int
	for k := range radBins {
		mIn += int(min(sr.most.mask[k], e.most.mask[k]))
		mHit += int(min(sr.most.mask[k], e.most.maskD[k])) + int(min(sr.most.maskD[k], e.most.mask[k]))
		cIn += int(min(sr.most.conc[k], e.most.conc[k]))
		cHit += int(min(sr.most.conc[k], e.most.concD[k])) + int(min(sr.most.concD[k], e.most.conc[k]))
	}
	m := agreementRangeBound(mIn, mHit, sr.maskLo, sr.maskHi, e.maskN)
	k := agreementRangeBound(cIn, cHit, sr.concLo, sr.concHi, e.concN)
	return combine(m, k) + boundSlack
}

// agreementRangeBound is agreementBound's cap on agreement for a grid of
// any count in [anLo, anHi]. The tolerantF cap falls as an grows; the IoU
// cap j/(an+max(bn,j)-j), j = min(in, an), rises with an up to in and falls
// after, so it is largest at an = in, clamped to the range. A pair of
// empty grids agrees 0, which caps nothing.
func agreementRangeBound(in, hit, anLo, anHi, bn int) float64 {
	tol := math.Min(1, float64(hit)/float64(max(1, anLo+bn)))
	a := min(max(in, anLo), anHi)
	j := min(in, a)
	iou := tol
	if d := a + max(bn, j) - j; d > 0 {
		iou = math.Min(tol, float64(j)/float64(d))
	}
	return 0.5*iou + 0.5*tol
}

// alignedRings covers an elongated reference's aligned-frame views per
// flip: the plain aligned view, the tapered views (see taper.go) and the
// variants of each small rendering (see small.go).
type alignedRings struct {
	aligned, tapered [2]ringEnvelope
	small            [][2]ringEnvelope
}

// fillAlignedRings sets p.alignedRings from p's aligned-frame views; it
// leaves it nil for a reference that has none.
func (p *prepared) fillAlignedRings() {
	if !p.aniso {
		return
	}
	ar := &alignedRings{small: make([][2]ringEnvelope, len(p.small))}
	views := make([]shapeView, 0, max(len(p.tapered), 2*len(smallCuts)))
	for flip := range 2 {
		ar.aligned[flip] = envelopeOf(p.aligned[flip : flip+1])
		views = views[:0]
		for i := range p.tapered {
			views = append(views, p.tapered[i][flip])
		}
		if len(views) > 0 {
			ar.tapered[flip] = envelopeOf(views)
		}
		for s := range p.small {
			views = views[:0]
			for i := range p.small[s].views {
				views = append(views, p.small[s].views[i][flip])
			}
			ar.small[s][flip] = envelopeOf(views)
		}
	}
	p.alignedRings = ar
}

// crowdBounds are a region's translated views counted per ring, made once
// for one crowd check.
type crowdBounds struct {
	view    shiftRings
	aligned *shiftRings
}

func newCrowdBounds(c *candidate) *crowdBounds {
	b := &crowdBounds{view: shiftRingsOf(c.shifted())}
	if c.aligned != nil {
		a := shiftRingsOf(c.alignedShifted())
		b.aligned = &a
	}
	return b
}

// bound caps scoreRef(c, r, cfg, floor), c being the region b was made
// for: 0 where one of scoreRef's own gates rules the pair out, otherwise
// the most any view the search may refine can score under any translation,
// less what scoreRef takes off that view's score.
func (b *crowdBounds) bound(c *candidate, r *prepared, cfg Config, floor float64) float64 {
	if !r.aniso {
		if radialDist(&c.rad, &r.rad) > cfg.MaxRadial {
			return 0
		}
		if tol, score := r.rings.bound(&c.view, &c.rings); tol <= cfg.CoarseMin || score < floor-refineSlack {
			return 0
		}
		return r.rings.shiftBound(&b.view)
	}
	if b.aligned == nil || r.alignedRings == nil {
		return 0
	}
	flip, ok := alignedFlip(c, r)
	if !ok {
		return 0
	}
	ar := r.alignedRings
	u := ar.aligned[flip].shiftBound(b.aligned)
	if len(r.tapered) > 0 {
		u = math.Max(u, ar.tapered[flip].shiftBound(b.aligned)-taperCost)
	}
	if s := nearestSmall(c, r.small); s != nil {
		i := 0
		for i < len(r.small) && &r.small[i] != s {
			i++
		}
		u = math.Max(u, ar.small[i][flip].shiftBound(b.aligned)-smallCost)
	}
	return u
}

// boundedRef is a reference and the cap on its score on one region.
type boundedRef struct {
	r *prepared
	u float64
}

// crowdScoreBounded is crowdScore's answer: the rank-th best score of the
// brands other than m's over floor, or 0 when fewer reach it, searching
// only the references whose cap can still change it.
func (c Config) crowdScoreBounded(m shapeMatch, refs []*prepared, floor float64, rank int) float64 {
	cb := newCrowdBounds(m.cand)
	var todo []boundedRef
	for _, r := range refs {
		if r.brandID == m.ref.brandID || !c.inEccWindow(m.cand, r) {
			continue
		}
		if u := cb.bound(m.cand, r, c, floor); u >= floor && u > 0 {
			todo = append(todo, boundedRef{r, u})
		}
	}
	slices.SortFunc(todo, func(a, b boundedRef) int { return cmp.Compare(b.u, a.u) })
	best := map[string]float64{}
	kth := math.Inf(-1) // the rank-th best brand score once rank brands count
	for _, t := range todo {
		if t.u <= kth {
			// No reference left can beat the rank-th best: a score at or
			// under it leaves it as it is, whatever brand it is for.
			break
		}
		s := scoreRef(m.cand, t.r, c, floor)
		if s < floor || s <= best[t.r.brandID] {
			continue
		}
		best[t.r.brandID] = s
		if len(best) >= rank {
			kth = kthLargest(best, rank)
		}
	}
	if len(best) < rank {
		return 0
	}
	return kthLargest(best, rank)
}

// kthLargest returns the k-th largest value of m, which holds at least k.
func kthLargest(m map[string]float64, k int) float64 {
	vs := make([]float64, 0, len(m))
	for _, v := range m {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs[len(vs)-k]
}
