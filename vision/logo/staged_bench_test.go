package logo

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
)

// stagedStats measures, on the dev set's photos, what the staged search's
// slack decides (COUNTERLENS_BENCH_STAGED=1): how much a refinement lifts
// the unshifted score of the views that end up a region's best or second
// when every queued view is refined, and, per slack, how many views the
// second pass refines and how many regions it leaves with another
// reference, score or second than refining them all, counted among the
// regions whose shape confidence reaches 0.5 either way. The single-pass
// fast search (matchShapesBy) is counted the same way for comparison.
func stagedStats(b *testing.B, d *Detector, set []devImage) {
	cfg := d.cfg
	refs := d.refs.Load().flat
	floor := cfg.ShapeMid - 6*cfg.ShapeWidth
	kinds := []string{"round", "aligned", "tapered", "small"}
	kindOf := func(it *refineItem) int {
		switch {
		case it.angle >= 0:
			return 0
		case it.always:
			return 3
		case it.cost > 0:
			return 2
		}
		return 1
	}
	gainCuts := []float64{0, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2}
	var deciding, over [4]int
	var overCut [4][7]int
	maxGain := [4]float64{}
	slacks := []float64{0.025, 0.05, 0.075, 0.1, 0.15, 0.2}
	type tally struct{ refined, reported, refChanged, confFlipped, moved int }
	bySlack := make([]tally, len(slacks))
	var fast tally
	queued, regions := 0, 0
	// Estimates for leaving a region that cannot be reported: which
	// queued views an estimate plus a slack puts under ShapeMid (the
	// report floor at MinConfidence 0.5), and how many of those refine
	// to ShapeMid or more anyway.
	report := cfg.ShapeMid
	estNames := []string{"unshifted score", "tolerant overlap"}
	cutSlacks := []float64{0.05, 0.1, 0.15}
	var est [2]float64
	var cut, wrong [2][3]int
	reaching := 0
	conf := func(m *shapeMatch) float64 {
		if m.ref == nil {
			return 0
		}
		return cfg.shapeConfidence(m.score, m.second, m.ref.nullMax, max(m.cand.box.Dx(), m.cand.box.Dy()))
	}
	compare := func(t *tally, want, got *shapeMatch) {
		cw, cg := conf(want), conf(got)
		if cw < 0.5 && cg < 0.5 {
			return
		}
		t.reported++
		switch {
		case want.ref != got.ref:
			t.refChanged++
		case (cw >= 0.5) != (cg >= 0.5):
			t.confFlipped++
		case want.score != got.score || want.second != got.second:
			t.moved++
		}
	}
	for _, im := range set {
		g, scale := toGray(im.img, cfg.MaxSide, false)
		cands, _, err := photoCandidates(context.Background(), im.img, g, scale, cfg)
		if err != nil {
			b.Fatal(err)
		}
		regions += len(cands)
		slots, items := queueAll(cands, refs, cfg, floor)
		queued += len(items)
		truth := slices.Clone(slots)
		refineStaged(slices.Clone(items), truth, refs, math.Inf(1))
		for i := range items {
			it := &items[i]
			tb := &truth[it.slot].best
			s := refineQueued(tb.cand, refs[it.ref], it)
			est[0] = it.s0 - it.cost
			est[1] = tolerantEstimate(tb.cand, refs[it.ref], it) - it.cost
			for e := range est {
				for j, sl := range cutSlacks {
					if est[e]+sl < report {
						cut[e][j]++
						if s >= report {
							wrong[e][j]++
						}
					}
				}
			}
			if s >= report {
				reaching++
			}
			if tb.ref == nil || s < tb.second || s <= 0 {
				continue
			}
			k := kindOf(it)
			gain := s + it.cost - it.s0
			deciding[k]++
			maxGain[k] = math.Max(maxGain[k], gain)
			for j, c := range gainCuts {
				if gain > c {
					overCut[k][j]++
				}
			}
			if gain > refineSlack {
				over[k]++
			}
		}
		for j, sl := range slacks {
			got := slices.Clone(slots)
			bySlack[j].refined += refineStaged(slices.Clone(items), got, refs, sl)
			for i := range got {
				compare(&bySlack[j], &truth[i].best, &got[i].best)
			}
		}
		byCand := map[*candidate]shapeMatch{}
		for _, m := range matchShapesBy(cands, refs, cfg, true) {
			byCand[m.cand] = m
		}
		for i := range truth {
			m, ok := byCand[truth[i].best.cand]
			if !ok {
				m = shapeMatch{cand: truth[i].best.cand}
			}
			compare(&fast, &truth[i].best, &m)
		}
	}
	n := float64(len(set))
	fmt.Printf("staged: photos=%d refs=%d regions=%.1f a photo, queued refinements=%.1f a photo\n", len(set), len(refs), float64(regions)/n, float64(queued)/n)
	for k, name := range kinds {
		fmt.Printf("staged gain %-7s deciding=%d max=%.3f", name, deciding[k], maxGain[k])
		for j, c := range gainCuts {
			fmt.Printf(" >%.3f:%d", c, overCut[k][j])
		}
		fmt.Println()
	}
	for j, sl := range slacks {
		t := bySlack[j]
		fmt.Printf("staged slack=%.3f refined=%.1f a photo; regions at conf>=0.5=%d: another ref %d, conf crosses 0.5 %d, score or second moved %d\n",
			sl, float64(t.refined)/n, t.reported, t.refChanged, t.confFlipped, t.moved)
	}
	fmt.Printf("staged report cut: queued views refining to >= %.2f: %d\n", report, reaching)
	for e, name := range estNames {
		for j, sl := range cutSlacks {
			fmt.Printf("staged report cut by %-16s + %.2f: cuts %.1f views a photo, %d of them refine to >= %.2f\n", name, sl, float64(cut[e][j])/n, wrong[e][j], report)
		}
	}
	fmt.Printf("staged single-pass fast search: regions at conf>=0.5=%d: another ref %d, conf crosses 0.5 %d, score or second moved %d\n",
		fast.reported, fast.refChanged, fast.confFlipped, fast.moved)
}

// tolerantEstimate is a queued view's score with both overlaps taken
// with the one-cell tolerance (tolerantF) instead of half strict (IoU):
// a shift of a cell moves it less than the unshifted score.
func tolerantEstimate(c *candidate, r *prepared, it *refineItem) float64 {
	cv, v := &c.view, it.view
	if it.angle >= 0 {
		v = &r.views[it.angle]
	} else {
		cv = c.aligned
	}
	first, last := cv.concRows.near(v.concRows)
	k := tolerantF(&cv.conc, &cv.concD, &v.conc, &v.concD, cv.concN, v.concN, first, last)
	return 0.5 * (maskTolerantF(cv, v) + k)
}
