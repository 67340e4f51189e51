package logo

import (
	"image"
	"math"
)

// This file compares what lies inside a ring. Since session 14 a component
// with the parts inside its holes is a candidate region (scene.go,
// nesting), so a mark that is a ring or a badge outline round letters or a
// figure is found whole. But on the 64×64 silhouette and on the fine
// outline the ring is most of the mark: a reference that is "a ring round
// something" fits any ring round something else, or a ring round nothing,
// about as well as its own mark. For such a reference (its grey template
// is one outer component whose holes hold every other part of the mark:
// ringInside, the same nesting the region code uses) innerFit compares the
// inside alone: at the fine outline's pose, refined on the whole outline
// (the ring pins it), the truncated chamfer distances both ways between the
// outline points of region and reference that lie in the ring's hole, away
// from the ring's own inner edge. An empty inside, or one unlike the
// reference's, fits low whatever the ring does. The learned decision reads
// it and its margin over the runner-up brand's (decide.go).

// ringCore is a ring reference's inside: core[y*w+x] is on for the
// pixels of its grey template (w×h) that lie in the outer component's holes
// deeper than fineTau of the template's longer side from the ring (its own
// inner edge is the ring's, not the inside's).
type ringCore struct {
	w, h int
	core []bool
}

// ringHoleMin is the least share of the area a ring encloses (its own ink
// and its holes) that its holes must cover: a ring is more hole than band.
// A disc with a few details in small holes (Starbucks' face: 0.22) is not
// one; its silhouette carries its shape, and its small inner details are
// what blur removes first. Of the 3,470 simple-icons marks with parts
// inside, 509 have all their parts in one component's holes, 258 of them
// at this share or more (osu! 0.81, OWASP 0.71, 7-Zip 0.57).
const ringHoleMin = 0.5

// ringPartMin is the least area, in template pixels (eccSide on the
// longer side), of a part inside a ring or outside it: DefaultConfig's
// MinPartArea, the least part the region code nests.
const ringPartMin = 8

// ringInside returns t's inside when t is a ring with parts: one ink
// component (t.pix ≥ 128, as the fine outline reads it) whose holes hold
// parts of ringPartMin pixels or more and every other such component of
// the mark, at any depth, and cover ringHoleMin of the area it encloses;
// false otherwise.
func ringInside(t *eccTemplate) (ringCore, bool) {
	const minArea = ringPartMin
	if t.w < 3 || t.h < 3 || len(t.pix) < t.w*t.h {
		return ringCore{}, false
	}
	// One pixel of ground round the template, which is trimmed to the
	// mark: the ground must be one component touching the border.
	W, H := t.w+2, t.h+2
	pix := make([]uint8, W*H)
	for y := range t.h {
		for x := range t.w {
			if t.pix[y*t.w+x] >= 128 {
				pix[(y+1)*W+x+1] = 255
			}
		}
	}
	var rl runLabeler
	rl.cut(pix, W, H, 127)
	ink := rl.components(0, nil)
	ground := rl.components(1, nil)
	var nest nesting
	nest.find(&rl, 0, ink, ground, minArea)
	// The outer component is the one holding the most ink.
	best, bestArea := int32(-1), 0
	for _, k := range nest.outer {
		a := 0
		for _, l := range nest.members(k) {
			a += ink[l].area
		}
		if a > bestArea {
			best, bestArea = k, a
		}
	}
	if best < 0 {
		return ringCore{}, false
	}
	inRing := make([]bool, len(ink))
	for _, l := range nest.members(best) {
		inRing[l] = true
	}
	for l := 1; l < len(ink); l++ {
		if ink[l].area >= minArea && !inRing[l] {
			return ringCore{}, false // a part outside the ring: not a ring mark
		}
	}
	// The hole: what the border's ground cannot reach without crossing
	// the outer component (enclosed, with the component itself).
	outer := rl.fill(nil, 0, image.Rect(0, 0, W, H), best)
	enclosed := fillHoles(outer, W, H)
	// Depth in the hole: the distance to the nearest pixel outside it.
	const far = math.MaxFloat32 / 4
	d := make([]float32, W*H)
	var hole, filled int
	for i := range d {
		if !enclosed[i] || outer[i] != 0 {
			d[i] = 0
		} else {
			d[i] = far
		}
		if enclosed[i] {
			filled++
			if outer[i] == 0 {
				hole++
			}
		}
	}
	if float64(hole) < ringHoleMin*float64(filled) {
		return ringCore{}, false
	}
	chamfer34(d, W, H)
	tau := float32(fineTau * float64(max(t.w, t.h)))
	rc := ringCore{w: t.w, h: t.h, core: make([]bool, t.w*t.h)}
	n := 0
	for y := range t.h {
		for x := range t.w {
			if d[(y+1)*W+x+1] > tau {
				rc.core[y*t.w+x] = true
				n++
			}
		}
	}
	if n == 0 {
		return ringCore{}, false
	}
	return rc, true
}

// in reports whether template pixel (x, y) (centre coordinates) is in the
// core.
func (rc *ringCore) in(x, y float64) bool {
	ix, iy := int(math.Round(x)), int(math.Round(y))
	return ix >= 0 && iy >= 0 && ix < rc.w && iy < rc.h && rc.core[iy*rc.w+ix]
}

// innerFit returns how well the inside of reference r, a ring with parts
// (r.inside), fits what lies at the same place in region c, at the pose f
// the fine outline found for r on c (finePoseSearch; rg is c's grid): 1
// less the larger of the two mean truncated chamfer distances, over
// fineTau of the template's longer side, of the outline points in the
// ring's core, 0 when the region has none there; false when r is not a
// ring, or the pose makes no map.
func innerFit(f *finePoseFit, rg *regionFine, r *prepared) (float64, bool) {
	rc := &r.inside
	if rc.core == nil || !f.Fok {
		return 0, false
	}
	tau, tg, F := f.tau, f.tg, f.F
	Fi, ok := F.inverse()
	if !ok {
		return 0, false
	}
	pad := float64(f.tpad)
	var tIn, rIn [][2]float64
	for _, e := range tg.edges {
		if rc.in(e[0]-pad, e[1]-pad) {
			tIn = append(tIn, e)
		}
	}
	if len(tIn) == 0 {
		return 0, false
	}
	for _, e := range rg.edges {
		x, y, _ := Fi.at(e[0], e[1])
		if rc.in(x-pad, y-pad) {
			rIn = append(rIn, e)
		}
	}
	if len(rIn) == 0 {
		return 0, true // nothing inside the ring
	}
	a := chamferToRegion(&F, strided(tIn, fineMaxPoints), rg, tau)
	b := chamferToTemplate(&Fi, strided(rIn, fineMaxPoints), &tg, tau)
	return clampTo(1-max(a, b), 0, 1), true
}
