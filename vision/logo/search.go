package logo

import (
	"math"
	"math/bits"
)

// This file holds the shortcuts matchShapes takes with a thousand
// references, where most (region, reference) pairs cannot change what a
// region reports. They are approximations, measured on the benchmark
// (docs/benchmarks.md, "Matching at 1,000 references, session 5"); the
// null-corpus calibration and the tests that call scoreRef search in full
// (exactSearch), so a reference's descriptor does not depend on them.

// search is how far scoreSearch may cut a pair short: not at all, or
// by the shortcuts of fastSearch.
type search struct {
	fast bool
	// need is the score the pair must beat to change the region's best or
	// second (see shapeMatch.need).
	need float64
}

// angleCoarse is the fast angle search's first stride, in angle steps:
// on the real pairs of the tests it finds the angle that every other
// angle (its predecessor) found for 96% of the round pairs, with 35% fewer
// overlaps (docs/benchmarks.md, "Matching at 1,000 references, session
// 9").
const angleCoarse = 4

// exactSearch is the full search: every angle in range, every pair the
// ring bound lets through refined.
var exactSearch = search{}

// fastSearch is matchShapes' search for a region where a reference must
// score over need to change anything:
//
//   - The ring bound must reach the floor itself: of the pairs that changed
//     a region's best or second on 20 photos of seed 42 at 1,000
//     references, none had a bound under 0.60, while a sixth of the pairs
//     it let through lay in [0.53, 0.63).
//   - A refinement is skipped when its unshifted score plus refineSlack
//     (what a shift rarely gains, as the gate before it assumes) cannot beat
//     need.
//   - The angle search samples every fourth angle (12°, angleCoarse),
//     then the two angles 6° from the best, then the two next to the new
//     best: the tolerant overlap changes slowly with the angle.
func fastSearch(need float64) search {
	return search{fast: true, need: need}
}

// ringSlack is how far under the reporting floor a round pair's ring
// bound may be and the pair still be searched.
func (s search) ringSlack() float64 {
	if s.fast {
		return 0
	}
	return refineSlack
}

// after is the search for a view that costs cost (a tapered one) after
// the views before it scored best: its score, less cost, must beat that
// too.
func (s search) after(best, cost float64) search {
	s.need = math.Max(s.need, best) + cost
	return s
}

// skipRefine reports whether a pair whose unshifted score is s0 is left
// unrefined: refinement would not lift it over s.need.
func (s search) skipRefine(s0 float64) bool {
	return s.fast && s0+refineSlack <= s.need
}

// bestAngle returns the search angle in [lo, hi] at which c's view
// overlaps r's best (tolerantF), among those past the area and hash gates
// and over the coarse gate, or -1.
func (s search) bestAngle(c *candidate, r *prepared, lo, hi int, cfg Config) int {
	bi, bs := -1, cfg.CoarseMin
	try := func(i int) {
		v := &r.views[i]
		if !similarArea(&c.view, v) || bits.OnesCount64(v.hash^c.view.hash) > cfg.HashMaxDist {
			return
		}
		if t := maskTolerantF(&c.view, v); t > bs {
			bi, bs = i, t
		}
	}
	if !s.fast || hi-lo < 3 {
		for i := lo; i <= hi; i++ {
			try(i)
		}
		return bi
	}
	// Every angleCoarse-th angle (and the last), the best kept even under
	// the coarse gate; then, around the best so far, the angles half as
	// far, down to its neighbours.
	floor := bs
	bs = -1
	for i := lo; i <= hi; i += angleCoarse {
		try(i)
	}
	if (hi-lo)%angleCoarse != 0 {
		try(hi)
	}
	for d := angleCoarse / 2; d >= 1 && bi >= 0; d /= 2 {
		b := bi
		if b-d >= lo {
			try(b - d)
		}
		if b+d <= hi {
			try(b + d)
		}
	}
	if bs <= floor {
		return -1
	}
	return bi
}

// need is the score reference r must beat on m's region to change its
// best (same brand as the best so far, or none yet) or its second.
func (m *shapeMatch) need(r *prepared) float64 {
	if m.ref == nil || m.ref.brandID == r.brandID {
		return m.score
	}
	return m.second
}
