package logo

import (
	"math"
	"slices"
)

// This file holds the crowd of a shape match. The margin over the
// runner-up compares the winner with one other brand only; with a thousand
// references a region that is no mark at all (a letter-like cut, a blob
// with a notch, a look-alike distractor) is fit by many of them about
// equally, and the winner leads the runner-up by a hair. A real mark fits
// its reference clearly better than the field: when one other brand comes
// close (a similar apple, a similar swoosh) the next ones are far behind.
// So the learned decision also reads the winner's lead over the
// CrowdRank-th best other brand (fCrowd in decide.go). With few references
// there is no crowd, and the lead reads as far ahead as it can.

// crowdReach is the lead over the crowd at which the decision's crowd
// feature, 10*(score-crowd) clamped to decideRange, is at its top.
var crowdReach = decideRange[fCrowd][1] / 10

// crowdScore returns the CrowdRank-th best score of the brands other than
// m's on m's region, or 0 when fewer come within reach of the decision:
// scores more than crowdReach under m's cannot change the feature and are
// not refined.
func (c Config) crowdScore(m shapeMatch, refs []*prepared) float64 {
	floor := m.score - crowdReach
	best := map[string]float64{}
	for _, r := range refs {
		if r.brandID == m.ref.brandID || !c.inEccWindow(m.cand, r) {
			continue
		}
		if s := scoreRef(m.cand, r, c, floor); s >= floor && s > best[r.brandID] {
			best[r.brandID] = s
		}
	}
	if len(best) < c.CrowdRank {
		return 0
	}
	scores := make([]float64, 0, len(best))
	for _, s := range best {
		scores = append(scores, s)
	}
	slices.Sort(scores)
	return scores[len(scores)-c.CrowdRank]
}

// A real mark's runner-up at a thousand references is mostly a chance
// fit: an unrelated reference that fits the mark's region (0.58-0.78 on
// the benchmark) no better than it fits the photos of the mark-free null
// corpus, a fit confidence (fitConfidence) of 0.001-0.1 that the decision
// would never take as a match of its own. Counted raw, such runner-ups
// cut the margin and the crowd of the right brand from their tops at 16
// references to half, while on a blob that is no mark at all the winner
// is a chance fit among chance fits, and the raw margin and crowd are
// what tell it (docs/benchmarks.md, "Marks lost from 16 to 1,000
// references, session 15"). So the decision reads both: the raw margin
// and crowd, and the lead over the best rival, another brand whose
// score on the region reaches its own midpoint (fitMid).

// rivalScore returns the best score of the brands other than m's on m's
// region, L working pixels long, that reaches its reference's midpoint
// (0 when none does): m's rival. Scores more than marginReach under m's
// cannot change the decision's rival feature and are not refined, nor are
// scores under the least midpoint a region of L has.
func (c Config) rivalScore(m shapeMatch, refs []*prepared, L int) float64 {
	floor := max(m.score-marginReach, c.fitMid(0, L))
	best := 0.0
	for _, r := range refs {
		if r.brandID == m.ref.brandID || !c.inEccWindow(m.cand, r) {
			continue
		}
		if s := scoreRef(m.cand, r, c, floor); s >= floor && s >= c.fitMid(r.nullMax, L) && s > best {
			best = s
		}
	}
	return best
}

// marginReach is the lead over a rival at which the decision's rival
// feature, 10*(score-rival) clamped to decideRange, is at its top.
var marginReach = decideRange[fRival][1] / 10

// inEccWindow reports whether region cand's eccentricity lies in
// reference r's window (see eccWindow), as matchShapes compares them.
func (c Config) inEccWindow(cand *candidate, r *prepared) bool {
	e := math.Log(math.Max(cand.mo.ecc, 1e-3))
	below, above := c.eccWindow(r)
	return e >= r.logEcc-below && e <= r.logEcc+above
}
