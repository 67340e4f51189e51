package logo

import (
	"slices"
	"testing"
)

// plainCrowdScore is the crowd check as first written: the full search
// against every reference of another brand in the region's eccentricity
// window, then the rank-th best brand score of those at or over floor.
func plainCrowdScore(c Config, m shapeMatch, refs []*prepared, floor float64, rank int) float64 {
	best := map[string]float64{}
	for _, r := range refs {
		if r.brandID == m.ref.brandID || !c.inEccWindow(m.cand, r) {
			continue
		}
		if s := scoreRef(m.cand, r, c, floor); s >= floor && s > best[r.brandID] {
			best[r.brandID] = s
		}
	}
	if len(best) < rank {
		return 0
	}
	scores := make([]float64, 0, len(best))
	for _, s := range best {
		scores = append(scores, s)
	}
	slices.Sort(scores)
	return scores[len(scores)-rank]
}

// TestCrowdBoundCapsScore wants the crowd check's cap to be at or over the
// full search's score for every pair of real regions and references of
// TestRingBound, at floors around where the check runs, and to rule out
// some pairs the search's own gates let through.
func TestCrowdBoundCapsScore(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	var pairs, searched, capped int
	for ci, c := range f.cands {
		if ci%3 != 0 {
			continue
		}
		c.shifts, c.alignedShifts = nil, nil
		b := newCrowdBounds(c)
		for _, r := range f.refs {
			for _, floor := range []float64{0.45, 0.6} {
				u := b.bound(c, r, cfg, floor)
				s := scoreRef(c, r, cfg, floor)
				if s > u {
					t.Fatalf("region %d (%v) vs %s at floor %v: score %v over its cap %v", ci, c.box, r.logoID, floor, s, u)
				}
				pairs++
				if u > 0 {
					searched++
					if u < floor {
						capped++
					}
				}
			}
		}
	}
	t.Logf("%d pairs × floors, %d past the search's gates, %d of them capped under the floor", pairs, searched, capped)
	if capped == 0 {
		t.Errorf("the cap ruled out none of %d pairs past the gates", searched)
	}
}

// TestCrowdScoreMatchesDefinition wants the bounded crowd check to return
// the very number the full one does, on the best matches of the real
// regions of TestRingBound, at the floors and ranks around the defaults.
func TestCrowdScoreMatchesDefinition(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	for _, c := range f.cands {
		c.shifts, c.alignedShifts = nil, nil
	}
	matches := matchShapes(f.cands, f.refs, cfg)
	var checked, nonzero int
	for _, m := range matches {
		for _, dFloor := range []float64{0.16, 0.24, 0.32} {
			for _, rank := range []int{1, 3, 5} {
				floor := m.score - dFloor
				want := plainCrowdScore(cfg, m, f.refs, floor, rank)
				if got := cfg.crowdScoreBounded(m, f.refs, floor, rank); got != want {
					t.Fatalf("region %v, winner %s %.4f, floor %.4f, rank %d: crowd %v, want %v", m.cand.box, m.ref.logoID, m.score, floor, rank, got, want)
				}
				checked++
				if want > 0 {
					nonzero++
				}
			}
		}
	}
	t.Logf("%d matches, %d crowd checks, %d of them over 0", len(matches), checked, nonzero)
	if nonzero < 50 {
		t.Errorf("only %d of %d crowd checks over 0: the fixture does not test the check", nonzero, checked)
	}
}
