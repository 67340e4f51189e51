package logo

import (
	"math"
	"slices"
)

// This file holds the crowd check of a shape match. The margin rule of
// shapeConfidence compares the winner with the runner-up only; with a
// thousand references a region that is no mark at all (a letter-like cut, a
// blob with a notch, a look-alike distractor) is fit by many of them about
// equally, and the winner leads the runner-up by a hair more than the
// margin. A real mark fits its reference clearly better than the field:
// when one other brand comes close (a similar apple, a similar swoosh) the
// next ones are far behind. So the winner must also lead the CrowdRank-th
// best other brand by CrowdMid, which is wider than MarginMid. With few
// references there is no crowd, and the check does not act.

// crowdScore returns the CrowdRank-th best score of the brands other than
// m's on m's region, or 0 when fewer come within reach of the check.
// Scores below score-CrowdMid-4*MarginWidth cannot lower the confidence
// by more than 2% and are not refined.
func (c Config) crowdScore(m shapeMatch, refs []*prepared) float64 {
	floor := m.score - c.CrowdMid - 4*c.MarginWidth
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

// inEccWindow reports whether region cand's eccentricity lies in
// reference r's window (see eccWindow), as matchShapes compares them.
func (c Config) inEccWindow(cand *candidate, r *prepared) bool {
	e := math.Log(math.Max(cand.mo.ecc, 1e-3))
	below, above := c.eccWindow(r)
	return e >= r.logEcc-below && e <= r.logEcc+above
}

// crowdFactor is the third factor of a shape confidence:
// sigmoid((score-crowd-CrowdMid)/MarginWidth), 1 when the check is off.
func (c Config) crowdFactor(score, crowd float64) float64 {
	if c.CrowdRank == 0 {
		return 1
	}
	return sigmoid((score - crowd - c.CrowdMid) / c.MarginWidth)
}
