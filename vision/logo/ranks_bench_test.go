package logo

import (
	"context"
	"fmt"
	"testing"
)

// rankStats counts, on the dev set's photos (COUNTERLENS_BENCH_RANKS=1),
// how many refined pairs leave a region's best under the report cut
// before a pair lifts it over (refineRankedAll, the second pass without
// rankedTries), and how many pairs a photo the second pass would refine
// with each limit from 1 to 8 (docs/benchmarks.md, "Matching at 1,000
// references, session 11").
func rankStats(b *testing.B, d *Detector, set []devImage) {
	cfg := d.cfg
	refs := d.refs.Load().flat
	floor := cfg.queueFloor()
	cut := cfg.reportFloor() - cutSlack
	var reach, reported, refinedAll int
	var refinedK [8]int
	var missHist [30]int
	for _, im := range set {
		g, scale := toGray(im.img, cfg.MaxSide, false)
		cands, _, err := photoCandidates(context.Background(), im.img, g, scale, cfg)
		if err != nil {
			b.Fatal(err)
		}
		queues := queueViews(cands, refs, cfg, floor)
		for i, c := range cands {
			q := queues[i]
			if !reachable(q, cut) {
				continue
			}
			reach++
			_, ok, misses, n := refineRankedAll(c, q, refs, cut)
			refinedAll += n
			if ok {
				reported++
				missHist[min(misses, len(missHist)-1)]++
			}
			for k := range refinedK {
				if ok && misses < k+1 {
					refinedK[k] += n
				} else {
					refinedK[k] += min(n, k+1)
				}
			}
		}
	}
	nn := float64(len(set))
	fmt.Printf("ranks: regions reaching the cut by the estimate %.1f a photo, over it refined %.1f, pairs refined %.0f\n", float64(reach)/nn, float64(reported)/nn, float64(refinedAll)/nn)
	fmt.Println("ranks: refined pairs that left the best under the cut before it reached it (regions, 0..29+):", missHist)
	for k := range refinedK {
		fmt.Printf("ranks: limit %d: pairs refined %.0f a photo\n", k+1, float64(refinedK[k])/nn)
	}
}
