package logo

import (
	"fmt"
	"image"
)

// whyLooks prints, for a missed mark's box gt (photo pixels; working
// pixels are scale times them), what the second look (nearMatches) saw:
// each region over the box that the report cut left, with its first
// rankedTries pairs (reference, estimate, estimate and refined score
// over the reference's midpoint), and the photo's looks in the order
// taken, marked where they lie over the box.
func whyLooks(d *Detector, cands []*candidate, scale float64, gt image.Rectangle) {
	cfg := d.cfg
	refs := d.refs.Load().flat
	floor, cut := cfg.queueFloor(), cfg.reportFloor()
	queues := queueViews(cands, refs, cfg, floor)
	for i, c := range cands {
		if m, ok := refineRanked(c, queues[i], refs, cut); ok && m.score >= floor {
			continue
		}
		pairs := rankPairs(queues[i])
		if len(pairs) == 0 || pairs[0].est < floor || boxIoU(scaleRect(c.box, 1/scale), gt) < 0.5 {
			continue
		}
		L := max(c.box.Dx(), c.box.Dy())
		line := ""
		for _, p := range pairs[:min(rankedTries, len(pairs))] {
			r := refs[p.q[0].ref]
			mid := cfg.fitMid(r.nullMax, L)
			line += fmt.Sprintf(" %s:%.3f/%.3f/%.3f", r.logoID, p.est, p.est-mid, refineOver(c, p.q, r, 0)-mid)
		}
		fmt.Fprintf(dumpF, "  LOOKPAIRS %v L=%d%s\n", scaleRect(c.box, 1/scale), L, line)
	}
	for _, m := range matchShapes(cands, refs, cfg) {
		if m.near {
			L := max(m.cand.box.Dx(), m.cand.box.Dy())
			box := scaleRect(m.cand.box, 1/scale)
			fmt.Fprintf(dumpF, "  LOOK %s score=%.3f z=%.3f box=%v onMark=%v\n", m.ref.logoID, m.score, m.score-cfg.fitMid(m.ref.nullMax, L), box, boxIoU(box, gt) >= 0.5)
		}
	}
}
