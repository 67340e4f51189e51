package logo

import (
	"slices"
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
	checkKeepsMatches(t, cfg, full, fast)
}

// TestStagedSearchKeepsMatches wants the same of the staged search
// matchShapes runs (staged.go).
func TestStagedSearchKeepsMatches(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	full := matchShapesBy(f.cands, f.refs, cfg, false)
	staged := matchShapesStaged(f.cands, f.refs, cfg)
	checkKeepsMatches(t, cfg, full, staged)
}

// checkKeepsMatches fails when got, a shortcut search's matches, gives
// another reference than the full search's matches full to more than 1%
// of the regions worth reporting, or another score or second to more than
// 10% of them.
func checkKeepsMatches(t *testing.T, cfg Config, full, got []shapeMatch) {
	t.Helper()
	byCand := make(map[*candidate]shapeMatch, len(got))
	for _, m := range got {
		byCand[m.cand] = m
	}
	reported, changed, moved := 0, 0, 0
	for _, w := range full {
		if w.score < cfg.ShapeMid {
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
	t.Logf("%d regions over ShapeMid of %d matched: %d with another reference, %d with another score or second", reported, len(full), changed, moved)
	if reported < 50 {
		t.Fatalf("only %d regions over ShapeMid: the fixture does not test the search", reported)
	}
	if 100*changed > reported || 10*moved > reported {
		t.Errorf("shortcuts changed the reference of %d and the score of %d of %d regions worth reporting: want at most 1%% and 10%%", changed, moved, reported)
	}
}

// TestPendingSearchMatchesEager wants the staged search's lazy angle
// searches (a round pair searched only when its ring cap could still
// matter) to give every region the very reference, score and second that
// searching every queued pair first gives.
func TestPendingSearchMatchesEager(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	floor := cfg.ShapeMid - 6*cfg.ShapeWidth
	slots, items := queueAll(f.cands, f.refs, cfg, floor)
	var eager []refineItem
	pending := 0
	for i := range items {
		it := items[i]
		if it.pending {
			pending++
			e, ok := searchPending(&it, slots[it.slot].best.cand, f.refs[it.ref], cfg, floor)
			if !ok {
				continue
			}
			it = e
		}
		eager = append(eager, it)
	}
	want := slices.Clone(slots)
	nEager := refineStaged(eager, want, f.refs, cfg, floor, refineSlack)
	got := slices.Clone(slots)
	nLazy := refineStaged(items, got, f.refs, cfg, floor, refineSlack)
	t.Logf("%d regions, %d queued, %d of them pending angle searches; %d refinements eager, %d lazy", len(slots), len(items), pending, nEager, nLazy)
	if pending == 0 || nEager == 0 {
		t.Fatal("no angle search or refinement queued: the fixture does not test the search")
	}
	for i := range want {
		w, g := want[i].best, got[i].best
		if w.ref != g.ref || w.score != g.score || w.second != g.second {
			t.Errorf("region %v: eager %s %.4f (second %.4f), lazy %s %.4f (second %.4f)", w.cand.box, refName(w.ref), w.score, w.second, refName(g.ref), g.score, g.second)
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
