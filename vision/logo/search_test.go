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
	full := matchShapesBy(f.cands, f.refs, cfg, false)
	fast := matchShapesBy(f.cands, f.refs, cfg, true)
	checkKeepsMatches(t, full, fast, func(m shapeMatch) bool { return m.score >= cfg.ShapeMid })
}

// TestStagedSearchKeepsMatches wants the same of the staged search
// matchShapes runs (staged.go), among the regions over ShapeMid whose
// shape confidence reaches MinConfidence (0.001, as the bench dump, and
// 0.5, as Detect).
func TestStagedSearchKeepsMatches(t *testing.T) {
	f := realPairs(t)
	for _, minConf := range []float64{0.001, 0.5} {
		cfg := DefaultConfig()
		cfg.MinConfidence = minConf
		full := matchShapesBy(f.cands, f.refs, cfg, false)
		staged := matchShapesStaged(f.cands, f.refs, cfg)
		checkKeepsMatches(t, full, staged, func(m shapeMatch) bool {
			return m.score >= cfg.ShapeMid && cfg.shapeConfidence(m.score, m.second, m.ref.nullMax, max(m.cand.box.Dx(), m.cand.box.Dy())) >= minConf
		})
	}
}

// checkKeepsMatches fails when got, a shortcut search's matches, gives
// another reference than the full search's matches full to more than 1%
// of the regions worth reporting (by worth), or another score or second
// to more than 10% of them.
func checkKeepsMatches(t *testing.T, full, got []shapeMatch, worth func(shapeMatch) bool) {
	t.Helper()
	byCand := make(map[*candidate]shapeMatch, len(got))
	for _, m := range got {
		byCand[m.cand] = m
	}
	reported, changed, moved := 0, 0, 0
	for _, w := range full {
		if !worth(w) {
			continue
		}
		reported++
		g, ok := byCand[w.cand]
		switch {
		case !ok || g.ref != w.ref:
			changed++
			t.Logf("region %v: %s %.4f (second %.4f) with the full search, %v with the shortcuts", w.cand.box, w.ref.logoID, w.score, w.second, g)
		case g.score != w.score || g.second != w.second:
			moved++
		}
	}
	t.Logf("%d regions worth reporting of %d matched: %d with another reference, %d with another score or second", reported, len(full), changed, moved)
	if reported < 30 {
		t.Fatalf("only %d regions over ShapeMid: the fixture does not test the search", reported)
	}
	if 100*changed > reported || 10*moved > reported {
		t.Errorf("shortcuts changed the reference of %d and the score of %d of %d regions worth reporting: want at most 1%% and 10%%", changed, moved, reported)
	}
}
