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
// not refined. Every score is on m's scale (onScale: mid is m's
// midpoint, L the region's longer side), as is rival, the best of them
// (0 when none comes within reach), the margin's runner-up.
func (c Config) crowdScore(m shapeMatch, mid float64, L int, refs []*prepared) (crowd, rival float64) {
	floor := m.score - crowdReach
	best := map[string]float64{}
	for _, r := range refs {
		if r.brandID == m.ref.brandID || !c.inEccWindow(m.cand, r) {
			continue
		}
		shift := c.fitMid(r.nullMax, L) - mid
		if s := scoreRef(m.cand, r, c, floor+shift) - shift; s >= floor && s > best[r.brandID] {
			best[r.brandID] = s
		}
	}
	scores := make([]float64, 0, len(best))
	for _, s := range best {
		scores = append(scores, s)
		rival = math.Max(rival, s)
	}
	if len(scores) < c.CrowdRank {
		return 0, rival
	}
	slices.Sort(scores)
	return scores[len(scores)-c.CrowdRank], rival
}

// onScale is score s of reference r on a region of longer side L moved
// onto the scale of a reference whose midpoint there is mid: its fit over
// its own midpoint (fitMid, its chance level), added to mid. The margin
// and the crowd compare brands on one scale: with a thousand references
// the best other brand on a real mark is most often one that fits any
// blob about as well (a high chance level), whose raw score says little
// against the mark's own reference (docs/benchmarks.md, "Marks lost from
// 16 to 1,000 references, session 17").
func (c Config) onScale(s float64, r *prepared, mid float64, L int) float64 {
	return s - c.fitMid(r.nullMax, L) + mid
}

// inEccWindow reports whether region cand's eccentricity lies in
// reference r's window (see eccWindow), as matchShapes compares them.
func (c Config) inEccWindow(cand *candidate, r *prepared) bool {
	e := math.Log(math.Max(cand.mo.ecc, 1e-3))
	below, above := c.eccWindow(r)
	return e >= r.logEcc-below && e <= r.logEcc+above
}
