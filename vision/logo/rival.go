package logo

import (
	"math"
	"sort"
)

// This file holds the margin rule's second look at a region's rivals. With
// a thousand references, some registered fill mark (a ring, an S-curve, a
// shield) fits almost any region roughly, and scoring within MarginMid of
// the region's best reference it would veto a real mark. A rival only
// counts when it fits the region at least as well as the winner does on
// the fine raster (see fine.go): a generic mark fitting roughly strays
// there, a real rival does not. This runs per match worth reporting, not
// per region and reference.

// fineRivalSlack is how much lower than the winner's a rival's fine IoU
// may be and still count as fitting as well.
const fineRivalSlack = 0.03

// inEccWindow reports whether a region of log-eccentricity e is compared
// with reference r (see Config.eccWindow).
func (c Config) inEccWindow(r *prepared, e float64) bool {
	below, above := c.eccWindow(r)
	return e >= r.logEcc-below && e <= r.logEcc+above
}

// rivalScore returns the best score a reference of another brand than win
// reaches on c among those that fit c on the fine raster about as well as
// win does (fine IoU within fineRivalSlack of winFit's), and how many
// rivals it checked there. Rivals scoring too far under score to move the
// margin factor are not checked.
func rivalScore(c *candidate, win *prepared, score float64, winFit fineFit, refs []*prepared, cfg Config) (second float64, checked int) {
	floor := cfg.ShapeMid - 6*cfg.ShapeWidth
	least := score - cfg.MarginMid - 6*cfg.MarginWidth
	e := math.Log(math.Max(c.mo.ecc, 1e-3))
	type rival struct {
		r *prepared
		s float64
	}
	var rs []rival
	for _, r := range refs {
		if r.brandID == win.brandID || !cfg.inEccWindow(r, e) {
			continue
		}
		if s := scoreRef(c, r, cfg, floor); s >= least && s > 0 {
			rs = append(rs, rival{r, s})
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].s > rs[j].s })
	for _, rv := range rs {
		checked++
		if f := fineMatch(c, rv.r); f.iou >= winFit.iou-fineRivalSlack {
			return rv.s, checked
		}
	}
	return 0, checked
}
