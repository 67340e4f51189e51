package logo

import (
	"math"
	"testing"
)

// plainTaperScore is the tapered half of an elongated pair's score as
// scoreSearch computes it without the ring cap: the tapered view the
// region's aligned view overlaps best past the coarse gate, refined, less
// taperCost; ok is false when no view passes.
func plainTaperScore(c *candidate, r *prepared, flip int, cfg Config, floor float64, s search) (score float64, ok bool) {
	bi := bestTapered(c, r, flip, cfg)
	if bi < 0 {
		return 0, false
	}
	return alignedScore(c, &r.tapered[bi][flip], cfg, floor, s) - taperCost, true
}

// TestTaperSkipKeepsScores wants every elongated pair of real regions and
// references (those of TestRingBound) whose tapered search the ring cap
// skips to gain nothing from that search, in the full search and in the
// fast one at several needs, and the cap to skip some of them.
func TestTaperSkipKeepsScores(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	floor := cfg.ShapeMid - 6*cfg.ShapeWidth
	modes := []search{exactSearch, fastSearch(0.5), fastSearch(0.7), fastSearch(0.8)}
	var pairs, skipped, gained int
	for ci, c := range f.cands {
		if c.aligned == nil {
			continue
		}
		for _, r := range f.refs {
			if !r.aniso {
				continue
			}
			for flip := range 2 {
				for _, m := range modes {
					best := alignedScore(c, &r.aligned[flip], cfg, floor, m)
					sm := m.after(best, taperCost)
					got, ok := plainTaperScore(c, r, flip, cfg, floor, sm)
					pairs++
					if ok && got > best {
						gained++
					}
					if r.alignedRings.taperMayScore(c, flip, cfg, floor, sm) {
						continue
					}
					skipped++
					if ok && math.Max(best, got) != best {
						t.Fatalf("region %d (%v) vs %s, flip %d, need %v: skipped a tapered view that scores %v over %v", ci, c.box, r.logoID, flip, m.need, got, best)
					}
				}
			}
		}
	}
	t.Logf("%d elongated pairs × flips × searches, %d where a tapered view beat the aligned one, %d tapered searches skipped", pairs, gained, skipped)
	if skipped == 0 || gained == 0 {
		t.Errorf("skipped %d of %d, %d gained: the fixture does not test the skip", skipped, pairs, gained)
	}
}
