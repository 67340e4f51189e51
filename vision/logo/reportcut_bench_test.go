package logo

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/bits"
	"os"
	"slices"
	"testing"
)

// cutStats measures, on the dev set's photos (COUNTERLENS_BENCH_CUTSTATS=1),
// how far under the refined score each estimate of the report cut lies:
// every queued view of every region is refined, and a region is "reachable"
// when one of its views refines (less its cost) to the report floor or
// more. For each estimate it prints the slack a reachable region needs
// (the floor less its best estimate), the largest of those, and, per
// slack, how many regions and queued views the cut would leave, and how
// many reachable regions it would lose.
func cutStats(b *testing.B, d *Detector, set []devImage) {
	cfg := d.cfg
	refs := d.refs.Load().flat
	floor := cfg.queueFloor()
	report := cfg.reportFloor()
	names := []string{"unshifted score", "cutEstimate"}
	slacks := []float64{0.05, 0.075, 0.1, 0.125, 0.15, 0.2}
	var (
		cutRegions, cutViews, lost [2][6]int
		needs                      [2][]float64
		regions, queued, reach     int
		reported, reportedReach    int
		sameDetections             int
		climbsSingle, climbsCut    int
		regionsCut                 int
	)
	var out *bufio.Writer
	if p := os.Getenv("COUNTERLENS_BENCH_CUTSTATS"); p != "1" {
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		out = bufio.NewWriter(f)
		defer out.Flush()
		fmt.Fprintln(out, "photo\tregion\tkind\tcost\tmask_iou\tmask_tol\tconc_iou\tconc_tol\trefined\tsingle\tref\tbrand\ts0")
	}
	for pi, im := range set {
		g, scale := toGray(im.img, cfg.MaxSide, false)
		cands, _, err := photoCandidates(context.Background(), im.img, g, scale, cfg)
		if err != nil {
			b.Fatal(err)
		}
		matchShapes(cands, refs, cfg)
		climbsCut += refinements(cands)
		queues := queueViews(cands, refs, cfg, floor)
		single := map[*candidate]shapeMatch{}
		for _, m := range matchShapesBy(cands, refs, cfg, true) {
			single[m.cand] = m
		}
		climbsSingle += refinements(cands)
		for i := range cands {
			if len(queues[i]) > 0 && !reachable(queues[i], cfg.reportFloor()-cutSlack) {
				regionsCut++
			}
		}
		for i, c := range cands {
			q := queues[i]
			regions++
			queued += len(q)
			if len(q) == 0 {
				continue
			}
			refined := 0.0
			var best [2]float64
			best[0], best[1] = math.Inf(-1), math.Inf(-1)
			for j := range q {
				it := &q[j]
				ri := refineAll(c, it, refs[it.ref])
				refined = math.Max(refined, ri)
				cv := &c.view
				if it.kind != itemRound {
					cv = c.aligned
				}
				if out != nil {
					mi, mt, ki, kt := overlapTerms(cv, it.view)
					fmt.Fprintf(out, "%d\t%d\t%d\t%.3f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%s\t%.4f\n", pi, i, it.kind, it.cost(), mi, mt, ki, kt, ri, single[c].score, it.ref, refs[it.ref].brandID, it.s0)
				}
				best[0] = math.Max(best[0], it.s0-it.cost())
				best[1] = math.Max(best[1], cutEstimate(cv, it.view)-it.cost())
			}
			isReach := refined >= report
			if isReach {
				reach++
			}
			if m, ok := single[c]; ok && m.score >= report {
				reported++
				if isReach {
					reportedReach++
				}
				if got := refineQueue(c, q, refs, floor); got == m {
					sameDetections++
				}
			}
			for e := range best {
				if isReach {
					needs[e] = append(needs[e], report-best[e])
				}
				for k, sl := range slacks {
					if best[e]+sl < report {
						cutRegions[e][k]++
						cutViews[e][k] += len(q)
						if isReach {
							lost[e][k]++
						}
					}
				}
			}
		}
	}
	n := float64(len(set))
	fmt.Printf("cut: photos=%d refs=%d floor=%.3f regions=%.1f a photo, queued views=%.1f a photo, reachable regions=%d, single pass over the floor=%d (reachable %d, same match from the queue %d)\n",
		len(set), len(refs), report, float64(regions)/n, float64(queued)/n, reach, reported, reportedReach, sameDetections)
	fmt.Printf("cut: refinements (bestShift) a photo: single pass %.1f, with the report cut %.1f; regions left by the cut %.1f a photo\n",
		float64(climbsSingle)/n, float64(climbsCut)/n, float64(regionsCut)/n)
	for e, name := range names {
		slices.Sort(needs[e])
		top := needs[e][max(0, len(needs[e])-8):]
		fmt.Printf("cut by %-16s: slack needed by the reachable regions, largest: %.3f\n", name, top)
		for k, sl := range slacks {
			fmt.Printf("cut by %-16s + %.3f: leaves %.1f regions and %.1f queued views a photo, loses %d reachable regions\n",
				name, sl, float64(cutRegions[e][k])/n, float64(cutViews[e][k])/n, lost[e][k])
		}
	}
}

// refineAll is a queued view's refined score less its cost, whatever the
// need.
func refineAll(c *candidate, it *queuedView, r *prepared) float64 {
	if it.kind == itemRound {
		return refinePair(c, []queuedView{*it}, r, exactSearch)
	}
	return bestShift(c.alignedShifted(), it.view) - it.cost()
}

// overlapTerms are the strict (IoU) and tolerant (tolerantF) overlaps of
// two views' masks and concavities, unshifted.
func overlapTerms(c, v *shapeView) (maskIoU, maskTol, concIoU, concTol float64) {
	iou := func(a, b *bitgrid, an, bn int, s, o rowSpan) float64 {
		if an+bn == 0 {
			return 0
		}
		first, last := s.near(o)
		in := 0
		for i := first; i <= last; i++ {
			in += bits.OnesCount64(a[i] & b[i])
		}
		return float64(in) / float64(an+bn-in)
	}
	maskIoU = iou(&c.mask, &v.mask, c.maskN, v.maskN, c.maskRows, v.maskRows)
	concIoU = iou(&c.conc, &v.conc, c.concN, v.concN, c.concRows, v.concRows)
	maskTol = maskTolerantF(c, v)
	first, last := c.concRows.near(v.concRows)
	concTol = tolerantF(&c.conc, &c.concD, &v.conc, &v.concD, c.concN, v.concN, first, last)
	return
}

// gateStats counts, on the dev set's photos (COUNTERLENS_BENCH_GATES=1),
// the (region, reference) pairs that pass each gate of the first pass
// (queuePair) and of the ranked second pass (refineRanked), a photo.
func gateStats(b *testing.B, d *Detector, set []devImage) {
	cfg := d.cfg
	refs := d.refs.Load().flat
	floor := cfg.queueFloor()
	cut := cfg.reportFloor() - cutSlack
	var (
		regions, window, radialOK, ringOK, angleOK, queuedRound      int
		anisoWindow, flipOK, alignedOK, taperedOK, smallOK, queuedAn int
		alignedViews, reachRegions, pairsQueued, pairsRefined        int
		reported, refinedViews                                       int
	)
	for _, im := range set {
		g, scale := toGray(im.img, cfg.MaxSide, false)
		cands, _, err := photoCandidates(context.Background(), im.img, g, scale, cfg)
		if err != nil {
			b.Fatal(err)
		}
		regions += len(cands)
		order := byEccentricity(cands)
		for _, r := range refs {
			for _, ci := range order.window(r, cfg) {
				c := cands[ci]
				if r.aniso {
					anisoWindow++
					flip, ok := alignedFlip(c, r)
					if !ok {
						continue
					}
					flipOK++
					if alignedGates(c, &r.aligned[flip], cfg) {
						alignedOK++
					}
					if nearestTapered(c, r, flip, cfg) >= 0 {
						taperedOK++
					}
					if nearestSmall(c, r.small) != nil {
						smallOK++
					}
					if len(queuePair(nil, 0, c, r, cfg, floor)) > 0 {
						queuedAn++
					}
					continue
				}
				window++
				if radialDist(&c.rad, &r.rad) > cfg.MaxRadial {
					continue
				}
				radialOK++
				if tol, score := r.rings.bound(&c.view, &c.rings); tol <= cfg.CoarseMin || score < floor {
					continue
				}
				ringOK++
				lo, hi, ok := roundAngles(c, r)
				if !ok || fastSearch(0).bestAngle(c, r, lo, hi, cfg) < 0 {
					continue
				}
				angleOK++
				if len(queuePair(nil, 0, c, r, cfg, floor)) > 0 {
					queuedRound++
				}
			}
		}
		for _, c := range cands {
			if c.aligned != nil {
				alignedViews++
			}
		}
		queues := queueViews(cands, refs, cfg, floor)
		refinements(cands)
		for i, c := range cands {
			q := queues[i]
			if !reachable(q, cut) {
				continue
			}
			reachRegions++
			pairs := rankPairs(q)
			pairsQueued += len(pairs)
			best := shapeMatch{cand: c}
			for _, p := range pairs {
				if best.score < cut && p.est < cut {
					break
				}
				r := refs[p.q[0].ref]
				need := best.need(r)
				if p.est <= need {
					continue
				}
				pairsRefined++
				best.offer(r, refineOver(c, p.q, r, need))
			}
			if best.score >= cut {
				reported++
			}
		}
		refinedViews += refinements(cands)
	}
	n := float64(len(set))
	fmt.Printf("gates: photos=%d refs=%d regions=%.1f a photo; aligned views made %.1f\n", len(set), len(refs), float64(regions)/n, float64(alignedViews)/n)
	fmt.Printf("gates: round pairs a photo: in the eccentricity window %.0f, past the radial profile %.0f, past the ring bound %.0f, an angle past the coarse gate %.0f, queued %.0f\n",
		float64(window)/n, float64(radialOK)/n, float64(ringOK)/n, float64(angleOK)/n, float64(queuedRound)/n)
	fmt.Printf("gates: elongated pairs a photo: in the window %.0f, axes within the angle search %.0f, aligned view past the coarse gates %.0f, a tapered view %.0f, small renderings %.0f, queued %.0f\n",
		float64(anisoWindow)/n, float64(flipOK)/n, float64(alignedOK)/n, float64(taperedOK)/n, float64(smallOK)/n, float64(queuedAn)/n)
	fmt.Printf("gates: report cut: regions reaching the floor by the estimate %.1f a photo, their queued pairs %.0f, pairs refined (ranked) %.0f, refinements %.0f, regions over the floor %.1f\n",
		float64(reachRegions)/n, float64(pairsQueued)/n, float64(pairsRefined)/n, float64(refinedViews)/n, float64(reported)/n)
}
