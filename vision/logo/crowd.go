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
	e := logEccOf(m.cand)
	for _, r := range refs {
		if r.brandID == m.ref.brandID || !c.logEccIn(e, r) {
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

// inEccWindow reports whether region cand's eccentricity lies in
// reference r's window (see eccWindow), as matchShapes compares them.
func (c Config) inEccWindow(cand *candidate, r *prepared) bool {
	return c.logEccIn(logEccOf(cand), r)
}

// logEccOf is the log of region cand's eccentricity as the windows read it.
func logEccOf(cand *candidate) float64 { return math.Log(math.Max(cand.mo.ecc, 1e-3)) }

// logEccIn reports whether the log eccentricity e lies in reference r's
// window (see eccWindow).
func (c Config) logEccIn(e float64, r *prepared) bool {
	below, above := c.eccWindow(r)
	return e >= r.logEcc-below && e <= r.logEcc+above
}
