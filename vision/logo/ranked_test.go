package logo

import (
	"math"
	"testing"
)

// TestRankedKeepsReportable wants refineRanked to keep every region the
// single pass (matchShapesBy, fast) can report, with a score and a second
// no lower than the single pass's, on the real pairs of TestRingBound:
// it refines by the estimate what the single pass's unshifted-score rule
// may skip, so either can be higher, and a second never falls (the
// margin over the runner-up can only fall with it). Most regions must keep the very
// match, and the pass must refine less than refineQueue in reference
// order.
func TestRankedKeepsReportable(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	floor := cfg.queueFloor()
	cut := cfg.reportFloor() - cutSlack
	queues := queueViews(f.cands, f.refs, cfg, floor)
	refinements(f.cands) // other tests refined these regions before
	got := make(map[*candidate]shapeMatch)
	for i, c := range f.cands {
		if m, ok := refineRanked(c, queues[i], f.refs, cut); ok {
			got[c] = m
		}
	}
	rankedClimbs := refinements(f.cands)
	for i, c := range f.cands {
		if reachable(queues[i], cut) {
			refineQueue(c, queues[i], f.refs, floor)
		}
	}
	queueClimbs := refinements(f.cands)
	compared, differ := 0, 0
	for _, w := range matchShapesBy(f.cands, f.refs, cfg, true) {
		if w.score < cfg.reportFloor() {
			if g, ok := got[w.cand]; ok && g.score >= cfg.reportFloor() {
				t.Errorf("region %v: single pass %s %.4f under the floor, ranked %s %.4f over it", w.cand.box, w.ref.logoID, w.score, g.ref.logoID, g.score)
			}
			continue
		}
		compared++
		g, ok := got[w.cand]
		if !ok || g.score < w.score || g.second < w.second {
			t.Errorf("region %v: single pass %s %.4f (second %.4f), ranked %+v (kept %v)", w.cand.box, w.ref.logoID, w.score, w.second, g, ok)
			continue
		}
		if g != w {
			differ++
			t.Logf("region %v: single pass %s %.4f (second %.4f), ranked %s %.4f (second %.4f)", w.cand.box, w.ref.logoID, w.score, w.second, g.ref.logoID, g.score, g.second)
		}
	}
	if 10*differ > compared {
		t.Errorf("%d of %d matches differ from the single pass's", differ, compared)
	}
	refinements(f.cands)
	t.Logf("%d regions, %d matches compared, refinements: %d ranked, %d in reference order", len(f.cands), compared, rankedClimbs, queueClimbs)
	if compared < 50 {
		t.Fatalf("only %d matches compared: the fixture does not test the ranking", compared)
	}
	if rankedClimbs >= queueClimbs {
		t.Errorf("ranked pass made %d refinements, reference order %d: the ranking saves nothing", rankedClimbs, queueClimbs)
	}
}

// TestScoreEstimateIsBoth wants scoreEstimate to give shapeScore and
// cutEstimate bit for bit, on the real pairs' regions against their
// references' views.
func TestScoreEstimateIsBoth(t *testing.T) {
	f := realPairs(t)
	n := 0
	for _, c := range f.cands[:min(len(f.cands), 400)] {
		for _, r := range f.refs {
			for i := range r.views {
				v := &r.views[i]
				s0, est := scoreEstimate(&c.view, v)
				if s0 != shapeScore(&c.view, v) || est != cutEstimate(&c.view, v) {
					t.Fatalf("region %v, %s at %d: scoreEstimate %v %v, shapeScore %v, cutEstimate %v", c.box, r.logoID, i, s0, est, shapeScore(&c.view, v), cutEstimate(&c.view, v))
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no pair compared")
	}
}

// refineRankedAll is refineRanked without rankedTries: every pair whose
// estimate reaches the cut refined until the best does, and how many
// refined pairs left the best under the cut before it reached it (-1
// when it never did), with how many pairs it refined in all.
func refineRankedAll(c *candidate, q []queuedView, refs []*prepared, cut float64) (m shapeMatch, ok bool, misses, refined int) {
	m, ok, misses, refined = refineRankedUpTo(c, q, refs, cut, math.MaxInt)
	if !ok {
		misses = -1
	}
	return m, ok, misses, refined
}

// TestRankedTries wants refineRanked to give a region up only after
// rankedTries refined pairs left its best under the cut: on the real
// pairs, a region it keeps has the very match of the search without the
// limit, and a region it drops either has no match over the cut or
// reached it only after rankedTries misses or more.
func TestRankedTries(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	floor := cfg.queueFloor()
	queues := queueViews(f.cands, f.refs, cfg, floor)
	for _, cut := range []float64{cfg.reportFloor() - cutSlack, floor} {
		kept, late := 0, 0
		for i, c := range f.cands {
			want, wantOK, misses, _ := refineRankedAll(c, queues[i], f.refs, cut)
			got, ok := refineRanked(c, queues[i], f.refs, cut)
			switch {
			case ok && (!wantOK || got != want):
				t.Errorf("cut %.3f, region %v: capped %+v, without the limit %+v (reported %v)", cut, c.box, got, want, wantOK)
			case !ok && wantOK && misses < rankedTries:
				t.Errorf("cut %.3f, region %v dropped, but its best reached the cut after %d misses", cut, c.box, misses)
			case ok:
				kept++
			case wantOK:
				late++
			}
		}
		t.Logf("cut %.3f: %d regions kept, %d dropped after %d misses", cut, kept, late, rankedTries)
		if kept == 0 {
			t.Fatalf("cut %.3f: no region kept: the fixture does not test the limit", cut)
		}
	}
}
