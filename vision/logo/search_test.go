package logo

import (
	"math"
	"testing"
)

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

// TestReportFloorBoundsConfidence wants no shape score under
// reportFloor to reach MinConfidence, whatever the second, the
// reference's null score and the region's size, and the floor to be
// tight for a large region with no second (its confidence at the floor is
// MinConfidence); under a MinConfidence too low for that, the matcher's
// own floor.
func TestReportFloorBoundsConfidence(t *testing.T) {
	for _, minConf := range []float64{0.001, 0.1, 0.5, 0.9} {
		cfg := DefaultConfig()
		cfg.MinConfidence = minConf
		floor := cfg.ShapeMid - 6*cfg.ShapeWidth
		report := cfg.reportFloor(floor)
		if report == floor {
			// So low a MinConfidence is under the confidence at floor:
			// the floor decides, as it did before.
			if want := cfg.ShapeMid + cfg.ShapeWidth*math.Log(minConf/(1-minConf)); want > floor {
				t.Errorf("MinConfidence %.3f: floor %.4f, want %.4f", minConf, report, want)
			}
			continue
		}
		for _, nullMax := range []float64{0, 0.6, 0.7, 0.8} {
			for _, L := range []int{cfg.MinSide, cfg.SmallSide - 1, 200} {
				for s := report - 0.2; s < report; s += 0.0005 {
					if c := cfg.shapeConfidence(s, 0, nullMax, L); c >= minConf {
						t.Errorf("MinConfidence %.3f: score %.4f under the floor %.4f has confidence %.4f (null %.2f, side %d)", minConf, s, report, c, nullMax, L)
					}
				}
			}
		}
		if c := cfg.shapeConfidence(report, 0, 0, 200); math.Abs(c-minConf) > 1e-3 {
			t.Errorf("MinConfidence %.3f: confidence %.4f at the floor %.4f", minConf, c, report)
		}
	}
}

// refName is r's logo ID, or "none".
func refName(r *prepared) string {
	if r == nil {
		return "none"
	}
	return r.logoID
}
