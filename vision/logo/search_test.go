package logo

import "testing"

// TestFastSearchKeepsMatches wants the shortcuts of fastSearch to leave
// what matchShapes reports on the real pairs of TestRingBound (regions of
// the test scenes, the null corpus and scenes with every test mark
// composited in, against the test marks and look-alikes) as the full
// search has it: the same best reference for nearly every region worth
// reporting, with the same score and second when that reference's score
// did not move.
func TestFastSearchKeepsMatches(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	for _, c := range f.cands {
		c.shifts, c.alignedShifts = nil, nil
	}
	full := matchShapesBy(f.cands, f.refs, cfg, false)
	fast := matchShapesBy(f.cands, f.refs, cfg, true)
	got := make(map[*candidate]shapeMatch, len(fast))
	for _, m := range fast {
		got[m.cand] = m
	}
	reported, changed, moved := 0, 0, 0
	for _, w := range full {
		if w.score < cfg.ShapeMid {
			continue
		}
		reported++
		g, ok := got[w.cand]
		switch {
		case !ok || g.ref != w.ref:
			changed++
			t.Logf("region %v: %s %.4f (second %.4f) with the full search, %v with the shortcuts", w.cand.box, w.ref.logoID, w.score, w.second, g)
		case g.score != w.score || g.second != w.second:
			moved++
		}
	}
	t.Logf("%d regions over ShapeMid of %d matched: %d with another reference, %d with another score or second", reported, len(full), changed, moved)
	if reported < 50 {
		t.Fatalf("only %d regions over ShapeMid: the fixture does not test the search", reported)
	}
	if 100*changed > reported || 10*moved > reported {
		t.Errorf("shortcuts changed the reference of %d and the score of %d of %d regions worth reporting: want at most 1%% and 10%%", changed, moved, reported)
	}
}
