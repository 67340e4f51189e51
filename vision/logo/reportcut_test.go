package logo

import (
	"math"
	"testing"
)

// TestReportCutKeepsMatches wants the two passes of the report cut to give
// every region that can be reported the very match of the single pass
// (matchShapesBy, fast): same reference, score and second, on the real
// pairs of TestRingBound. With the cut off (a floor no region misses) they
// must give every region's match, reportable or not.
func TestReportCutKeepsMatches(t *testing.T) {
	f := realPairs(t)
	for _, name := range []string{"cut", "no cut"} {
		t.Run(name, func(t *testing.T) {
			cfg := DefaultConfig()
			floor := cfg.queueFloor()
			cut := cfg.reportFloor() - cutSlack
			if name == "no cut" {
				cut = math.Inf(-1)
			}
			want := matchShapesBy(f.cands, f.refs, cfg, true)
			queues := queueViews(f.cands, f.refs, cfg, floor)
			got := make(map[*candidate]shapeMatch)
			left := 0
			for i, c := range f.cands {
				if !reachable(queues[i], cut) {
					left++
					continue
				}
				if m := refineQueue(c, queues[i], f.refs, floor); m.ref != nil && m.score >= floor {
					got[c] = m
				}
			}
			reported := 0
			for _, w := range want {
				if name == "cut" && w.score < cfg.reportFloor() {
					continue
				}
				reported++
				if g := got[w.cand]; g != w {
					t.Errorf("region %v: single pass %s %.4f (second %.4f), report cut %+v", w.cand.box, w.ref.logoID, w.score, w.second, g)
				}
			}
			if name == "no cut" && len(got) != len(want) {
				t.Errorf("%d matches without the cut, want the single pass's %d", len(got), len(want))
			}
			t.Logf("%d regions, %d left by the cut, %d matches compared", len(f.cands), left, reported)
			if reported < 50 {
				t.Fatalf("only %d matches compared: the fixture does not test the cut", reported)
			}
		})
	}
}

// TestReportFloorBoundsConfidence wants no shape confidence at or over
// MinConfidence for a score under reportFloor, at a few MinConfidence
// settings, whatever the second, null score and size.
func TestReportFloorBoundsConfidence(t *testing.T) {
	for _, minConf := range []float64{0.001, 0.3, 0.5, 0.8} {
		cfg := DefaultConfig()
		cfg.MinConfidence = minConf
		f := cfg.reportFloor()
		for _, score := range []float64{f - 0.1, f - 0.01, f - 1e-6} {
			for _, null := range []float64{0, 0.5, 0.7} {
				for _, L := range []int{cfg.MinSide, cfg.SmallSide, 400} {
					if c := cfg.shapeConfidence(score, 0, null, L); c >= minConf {
						t.Errorf("MinConfidence %.3f: score %.4f under the floor %.4f gives confidence %.4f", minConf, score, f, c)
					}
				}
			}
		}
		if c := cfg.shapeConfidence(f+1e-6, 0, 0, 400); c < minConf {
			t.Errorf("MinConfidence %.3f: score just over the floor %.4f gives only %.4f: the floor is not tight", minConf, f, c)
		}
	}
}
