package logo

import "testing"

// TestAlignedViewOnDemandKeepsMatches: a region's aligned view is made
// when an elongated reference first needs it (alignedView). matchShapes
// must report the very same matches, scores and runners-up on the real
// pairs of TestRingBound as with every elongated region's aligned view
// made up front, and it must have left some elongated regions without one
// (the rasters it saves).
func TestAlignedViewOnDemandKeepsMatches(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	fresh := func(eager bool) []*candidate {
		out := make([]*candidate, len(f.cands))
		for i, c := range f.cands {
			cc := *c
			cc.aligned, cc.shifts, cc.alignedShifts = nil, nil, nil
			if eager {
				cc.alignedView()
			}
			out[i] = &cc
		}
		return out
	}
	for _, fast := range []bool{false, true} {
		eager, lazy := fresh(true), fresh(false)
		want := matchShapesBy(eager, f.refs, cfg, fast)
		got := matchShapesBy(lazy, f.refs, cfg, fast)
		if len(got) != len(want) {
			t.Fatalf("fast=%v: %d matches on demand, %d with every aligned view made", fast, len(got), len(want))
		}
		idx := make(map[*candidate]int, 2*len(lazy))
		for i := range lazy {
			idx[lazy[i]], idx[eager[i]] = i, i
		}
		for i, w := range want {
			g := got[i]
			if idx[g.cand] != idx[w.cand] || g.ref != w.ref || g.score != w.score || g.second != w.second {
				t.Fatalf("fast=%v: match %d is %s %.4f/%.4f on demand, %s %.4f/%.4f with every view made",
					fast, i, g.ref.logoID, g.score, g.second, w.ref.logoID, w.score, w.second)
			}
		}
		elongated, made := 0, 0
		for i, c := range lazy {
			if eager[i].aligned != nil {
				elongated++
				if c.aligned != nil {
					made++
					if c.aligned.mask != eager[i].aligned.mask {
						t.Fatalf("region %d: aligned view on demand differs", i)
					}
				}
			}
		}
		if elongated == 0 || made == elongated {
			t.Errorf("fast=%v: %d of %d elongated regions' aligned views made: want some left unmade", fast, made, elongated)
		}
		t.Logf("fast=%v: %d matches, aligned views made for %d of %d elongated regions", fast, len(got), made, elongated)
	}
}
