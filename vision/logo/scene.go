package logo

import (
	"context"
	"image"

	"gocv.io/x/gocv"

	"counterlens/vision/internal/runs"
)

// candidate is a region of the scene that may be a flat mark: one connected
// component of a grey-level threshold, or a group of nearby ones (letters of a
// wordmark, stripes and text), in either polarity.
type candidate struct {
	box  image.Rectangle // working-raster pixels
	mo   moments
	view shapeView
	rad  radial // of view
	// rings counts view per ring (see ringEnvelope.bound).
	rings ringCounts
	// aligned is the whitened principal-frame view of an elongated region,
	// made on first use (see alignedView): nil until then.
	aligned *shapeView
	// shifts and alignedShifts are the views translated by up to maxShift
	// cells, made on demand (see shift.go).
	shifts, alignedShifts *shiftSet
	// mask is the region's own mask over src, in the pixels of the raster
	// it was cut from (the working grey raster, or the colour raster when
	// colour is set), kept for verifying a match (see verify.go).
	mask   []uint8
	src    image.Rectangle
	colour bool
	// nested marks a component with the parts inside its holes (see
	// ladderRegions).
	nested bool
}

type boxKey struct{ x0, y0, x1, y1, q int }

// component is one connected component's statistics.
type component struct {
	box  image.Rectangle
	area int
}

// ladderGrey is the grey raster the threshold ladder cuts: g under a 3×3
// Gaussian. pix is the Mat's own pixels; the caller closes the Mat after
// its last use. The benchmark's region explainer (whyRegion) cuts the same.
func ladderGrey(g grayImage) (gocv.Mat, []uint8, error) {
	base, err := gocv.NewMatFromBytes(g.h, g.w, gocv.MatTypeCV8U, g.pix)
	if err != nil {
		return gocv.Mat{}, nil, err
	}
	defer base.Close()
	blur := gocv.NewMat()
	gocv.GaussianBlur(base, &blur, image.Pt(3, 3), 0, 0, gocv.BorderReflect101)
	pix, err := blur.DataPtrUint8()
	if err != nil {
		blur.Close()
		return gocv.Mat{}, nil, err
	}
	return blur, pix, nil
}

// sceneCandidates finds candidate regions: at every threshold of a grey-level
// ladder (a poor man's MSER, which gocv does not expose as regions), the
// connected components of both polarities (labelled from runs, see
// runs.go), alone and grouped with their neighbours when the gap is small
// for their size. Grouping by relative gap rather than by a fixed dilation
// makes it scale-free, so one resolution serves marks from 5% to 60% of the
// picture. Near-duplicates across levels are dropped.
func sceneCandidates(ctx context.Context, g grayImage, cfg Config) ([]*candidate, error) {
	blur, pix, err := ladderGrey(g)
	if err != nil {
		return nil, err
	}
	defer blur.Close()

	var out []*candidate
	err = ladderRegions(ctx, pix, g.w, g.h, ladderLevels(cfg.LevelStep, 256), cfg, make(map[boxKey]bool),
		func(mask []uint8, box image.Rectangle, nested bool) {
			n := len(out)
			if out = addCandidate(out, mask, box, cfg); len(out) > n {
				out[n].nested = nested
			}
		})
	if err != nil {
		return nil, err
	}
	if c := wholeCandidate(g, cfg); c != nil {
		out = append(out, c)
	}
	return out, nil
}

// ladderLevels returns the thresholds step, 2*step, ... below end.
func ladderLevels(step, end int) []uint8 {
	var ls []uint8
	for t := step; t < end; t += step {
		ls = append(ls, uint8(t))
	}
	return ls
}

// ladderRegions cuts pix (w x h) at every threshold of levels and passes
// emit the mask and box of each connected component of either polarity,
// alone and grouped with its neighbours, that cfg's size limits accept and
// whose box seen does not hold yet (it is added), and each component with
// the parts that lie inside its holes (nested true: its box is the
// component's own, so seen keeps it apart, see nestedKey). The mask is
// reused by the next call.
func ladderRegions(ctx context.Context, pix []uint8, w, h int, levels []uint8, cfg Config, seen map[boxKey]bool, emit func(mask []uint8, box image.Rectangle, nested bool)) error {
	var both [2][]component
	var buf []uint8
	var rl runLabeler
	var members [][]int32
	var nest nesting
	var mc midCutter
	cutSeen := make(map[boxKey]bool)
	step := 0
	if len(levels) > 1 {
		step = int(levels[1]) - int(levels[0])
	}
	// emitCut emits a region, a small one (any one with cfg.MidCutLarge)
	// re-cut midway between its ink and its ground when cfg.MidCut says so
	// and the cut holds (see midcut.go). Two regions whose mid cuts share a
	// box keep the first's. Where a small region's two cuts differ in parts
	// (n, the ladder's: letters its level runs together that the mid cut
	// splits, or the reverse), the ladder's cut is emitted too: on strokes
	// and gaps of a pixel or two, which of them a photo's letters match is
	// not known until they are compared (see midCutter.parts). On larger
	// regions both cuts cost some 12 ms a photo more at 1,000 references
	// for a mark or two of the held-out brands and none of ours (session 18).
	emitCut := func(mask []uint8, box image.Rectangle, p, n int) {
		small := max(box.Dx(), box.Dy()) <= cfg.SmallSide
		if cfg.MidCut && (cfg.MidCutLarge || small) {
			r, m, area, ok := mc.cut(pix, w, h, mask, box, p, step)
			if ok && cfg.regionSized(r, area) && fresh(cutSeen, r) {
				emit(m, r, false)
				if !small || mc.parts.count(m, r.Dx(), r.Dy()) == n {
					return
				}
			}
		}
		emit(mask, box, false)
	}
	for _, t := range levels {
		rl.cut(pix, w, h, t)
		// Polarity 0 is what ThresholdBinary keeps, 1 ThresholdBinaryInv.
		// Both are labelled first: what lies in whose hole needs both.
		both[0] = rl.components(0, both[0])
		both[1] = rl.components(1, both[1])
		for p := range 2 {
			if err := ctx.Err(); err != nil {
				return err
			}
			comps := both[p]
			// Single components.
			for k := 1; k < len(comps); k++ {
				c := comps[k]
				if !cfg.acceptBox(c.box, c.area, w, h) || !fresh(seen, c.box) {
					continue
				}
				buf = rl.fill(buf, p, c.box, int32(k))
				emitCut(buf, c.box, p, 1)
			}
			// Components with the parts inside their holes (a ring and
			// its letters), whatever their sizes.
			nest.find(&rl, p, comps, both[1-p], cfg.MinPartArea)
			for _, k := range nest.outer {
				ms := nest.members(k)
				area := 0
				for _, l := range ms {
					area += comps[l].area
				}
				b := comps[k].box
				if !cfg.acceptBox(b, area, w, h) || !freshKey(seen, nestedKey(b)) {
					continue
				}
				buf = rl.fill(buf, p, b, ms...)
				emit(buf, b, true)
			}
			// Groups of neighbouring components.
			groupOf, groups := groupComponents(comps, cfg, nil)
			if len(groups) == 0 {
				continue
			}
			members = members[:0]
			for range groups {
				members = append(members, nil)
			}
			for l, gi := range groupOf {
				if gi >= 0 {
					members[gi] = append(members[gi], int32(l))
				}
			}
			for gi, gr := range groups {
				if !cfg.acceptBox(gr.box, gr.area, w, h) || !fresh(seen, gr.box) {
					continue
				}
				buf = rl.fill(buf, p, gr.box, members[gi]...)
				emitCut(buf, gr.box, p, len(members[gi]))
			}
		}
	}
	return nil
}

// nestedKey is the key of a region made of a component and the parts
// inside its holes, whose box is the component's own: apart from the
// component's key (keyOf's q is never negative).
func nestedKey(b image.Rectangle) boxKey {
	k := keyOf(b)
	k.q = -k.q
	return k
}

// nesting finds, on one threshold cut, the components of one polarity
// with parts inside their holes (see runLabeler.enclosing), reusing its
// buffers from cut to cut.
type nesting struct {
	enc []int32
	// outer are the components with at least one part inside; the parts
	// directly inside component k are kids[start[k]:start[k+1]].
	outer, kids, start []int32
	stack, ms          []int32
}

// find fills n for polarity p of rl's cut (comps are its components,
// holes the other polarity's): a part must have minArea pixels or more
// (specks of noise and texture in a hole do not make a region).
func (n *nesting) find(rl *runLabeler, p int, comps, holes []component, minArea int) {
	n.enc = rl.enclosing(p, comps, holes, n.enc)
	n.outer = n.outer[:0]
	n.start = append(n.start[:0], make([]int32, len(comps)+1)...)
	for l, k := range n.enc {
		if k > 0 && comps[l].area >= minArea {
			n.start[k+1]++
		}
	}
	for k := 1; k < len(n.start); k++ {
		if n.start[k] > 0 {
			n.outer = append(n.outer, int32(k-1))
		}
		n.start[k] += n.start[k-1]
	}
	n.kids = append(n.kids[:0], make([]int32, n.start[len(comps)])...)
	next := n.stack[:0]
	next = append(next, n.start[:len(comps)]...)
	for l, k := range n.enc {
		if k > 0 && comps[l].area >= minArea {
			n.kids[next[k]] = int32(l)
			next[k]++
		}
	}
	n.stack = next[:0]
}

// members returns k and every part inside its holes, at any depth (the
// letters in a ring, and a dot in a letter's counter), in a buffer reused
// by the next call.
func (n *nesting) members(k int32) []int32 {
	n.ms = append(n.ms[:0], k)
	n.stack = append(n.stack[:0], k)
	for len(n.stack) > 0 {
		c := n.stack[len(n.stack)-1]
		n.stack = n.stack[:len(n.stack)-1]
		for _, l := range n.kids[n.start[c]:n.start[c+1]] {
			n.ms = append(n.ms, l)
			n.stack = append(n.stack, l)
		}
	}
	return n.ms
}

// acceptBox is the cheap size filter applied before any pixel is read.
func (c Config) acceptBox(b image.Rectangle, area, w, h int) bool {
	if frameLike(b, w, h) {
		return false // background or frame (but see wholeCandidate)
	}
	return c.regionSized(b, area)
}

// regionSized reports whether a region with box b and area pixels passes
// the size and fill limits every candidate region must.
func (c Config) regionSized(b image.Rectangle, area int) bool {
	if max(b.Dx(), b.Dy()) < c.MinSide || area < c.MinArea {
		return false
	}
	fill := float64(area) / float64(b.Dx()*b.Dy())
	return fill > 0.04 && fill < 0.97 // not a hairline tangle, not a solid box
}

// fresh reports whether no region with nearly this box was seen, and marks it.
func fresh(seen map[boxKey]bool, b image.Rectangle) bool {
	return freshKey(seen, keyOf(b))
}

// freshKey reports whether seen does not hold key yet, and adds it.
func freshKey(seen map[boxKey]bool, key boxKey) bool {
	if seen[key] {
		return false
	}
	seen[key] = true
	return true
}

// fill writes into buf the mask over b of the label id of lab (stride
// wide), or, when groupOf is set, of the labels l with groupOf[l] == id.
func fill(buf []uint8, lab []int32, stride int, b image.Rectangle, id int32, groupOf []int32) []uint8 {
	n := b.Dx() * b.Dy()
	if cap(buf) < n {
		buf = make([]uint8, n)
	}
	buf = buf[:n]
	i := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := lab[y*stride+b.Min.X : y*stride+b.Max.X]
		for _, l := range row {
			on := l == id
			if groupOf != nil {
				on = l != 0 && groupOf[l] == id
			}
			buf[i] = 0
			if on {
				buf[i] = 1
			}
			i++
		}
	}
	return buf
}

func addCandidate(out []*candidate, pix []uint8, box image.Rectangle, cfg Config) []*candidate {
	src := maskSource{w: box.Dx(), h: box.Dy(), pix: pix}
	mo, ok := measure(src)
	if !ok || mo.area < float64(cfg.MinArea) {
		return out
	}
	c := &candidate{box: box, mo: mo, view: newShapeView(rasterize(src, mo, 0)), mask: append([]uint8(nil), pix...), src: box}
	c.rings = ringCountsOf(&c.view)
	c.rad = c.rings.radial(c.view.maskN)
	return append(out, c)
}

// alignedView returns c's aligned view, made from its mask on first use,
// or nil when c is not elongated enough to have one. Most regions never
// meet an elongated reference whose eccentricity window and angle gate
// let them through, so their second raster is not made at all.
func (c *candidate) alignedView() *shapeView {
	if c.aligned == nil && c.mo.ecc < anisoCandEcc {
		src := maskSource{w: c.src.Dx(), h: c.src.Dy(), pix: c.mask}
		v := newShapeView(rasterizeAligned(src, c.mo, false))
		c.aligned = &v
	}
	return c.aligned
}

// groupComponents links components whose boxes are closer than GroupGap
// times the smaller one's size, plus GroupSlack pixels (letters of a word,
// parts of an emblem; see Config.linkGap) and
// returns, per label, its group index (-1 for none), and the groups of two
// or more parts. Tiny specks do not link; a level with too many parts
// (texture, noise) is not grouped at all. alike, when set, must also hold
// for two components to link.
func groupComponents(comps []component, cfg Config, alike func(a, b int) bool) ([]int32, []component) {
	n := len(comps)
	groupOf := make([]int32, n)
	for i := range groupOf {
		groupOf[i] = -1
	}
	parts := make([]int, 0, n)
	for k := 1; k < n; k++ {
		if comps[k].area >= cfg.MinPartArea {
			parts = append(parts, k)
		}
	}
	if len(parts) < 2 || len(parts) > cfg.MaxParts {
		return groupOf, nil
	}
	sets := make(runs.Forest, n)
	sets.Reset()
	find := func(i int) int { return int(sets.Find(int32(i))) }
	grid := newCellGrid(comps, parts)
	size := func(b image.Rectangle) int { return max(b.Dx(), b.Dy()) }
	for _, k := range parts {
		b := comps[k].box
		e := b.Inset(-cfg.linkGap(size(b)) - 1)
		for gy := max(0, e.Min.Y) / gridCell; gy <= min(grid.h-1, max(0, e.Max.Y-1)/gridCell); gy++ {
			for gx := max(0, e.Min.X) / gridCell; gx <= min(grid.w-1, max(0, e.Max.X-1)/gridCell); gx++ {
				for _, j := range grid.at(gx, gy) {
					j := int(j)
					if j == k || find(j) == find(k) {
						continue
					}
					o := comps[j].box
					// Parts of one mark have comparable sizes (a leaf and
					// an apple, letters), and the gap is small for both.
					sb, so := size(b), size(o)
					if max(sb, so) > cfg.MaxPartRatio*min(sb, so) {
						continue
					}
					if b.Inset(-cfg.linkGap(min(sb, so))-1).Overlaps(o) && (alike == nil || alike(j, k)) {
						sets.Union(int32(j), int32(k))
					}
				}
			}
		}
	}
	return groupOf, collectGroups(comps, parts, find, groupOf)
}

// linkGap is the widest gap, in pixels, between the boxes of two parts
// whose smaller one's longer side is size that groupComponents links: a
// box grown by linkGap+1 overlaps the other.
func (c Config) linkGap(size int) int {
	return int(c.GroupGap*float64(size)) + c.GroupSlack
}

// collectGroups makes a group of every set of two or more of parts that
// find gives one root, in the order of parts, with the union of their
// boxes and the sum of their areas, and sets groupOf of each part in one.
func collectGroups(comps []component, parts []int, find func(int) int, groupOf []int32) []component {
	var groups []component
	rootGroup := make(map[int]int32)
	members := make(map[int]int)
	for _, k := range parts {
		members[find(k)]++
	}
	for _, k := range parts {
		r := find(k)
		if members[r] < 2 {
			continue
		}
		gi, ok := rootGroup[r]
		if !ok {
			gi = int32(len(groups))
			rootGroup[r] = gi
			groups = append(groups, component{box: comps[k].box})
		}
		groups[gi].box = groups[gi].box.Union(comps[k].box)
		groups[gi].area += comps[k].area
		groupOf[k] = gi
	}
	return groups
}

// gridCell is the side, in pixels, of [cellGrid]'s cells.
const gridCell = 32

// cellGrid is a spatial hash of components' boxes on a grid of gridCell-pixel
// cells: the components overlapping each cell, in the order they were
// given. The lists are one slice cut per cell (cell c's are
// list[start[c]:start[c+1]]), which costs a fraction of a map of slices.
type cellGrid struct {
	w, h        int // in cells
	start, list []int32
}

// newCellGrid hashes the boxes of comps[k] for k in parts (boxes in
// non-negative pixels).
func newCellGrid(comps []component, parts []int) cellGrid {
	var g cellGrid
	for _, k := range parts {
		b := comps[k].box
		g.w, g.h = max(g.w, (b.Max.X-1)/gridCell+1), max(g.h, (b.Max.Y-1)/gridCell+1)
	}
	g.start = make([]int32, g.w*g.h+1)
	each := func(b image.Rectangle, f func(c int)) {
		for gy := b.Min.Y / gridCell; gy <= (b.Max.Y-1)/gridCell; gy++ {
			for gx := b.Min.X / gridCell; gx <= (b.Max.X-1)/gridCell; gx++ {
				f(gy*g.w + gx)
			}
		}
	}
	for _, k := range parts {
		each(comps[k].box, func(c int) { g.start[c+1]++ })
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.list = make([]int32, g.start[len(g.start)-1])
	next := append([]int32(nil), g.start[:len(g.start)-1]...)
	for _, k := range parts {
		each(comps[k].box, func(c int) {
			g.list[next[c]] = int32(k)
			next[c]++
		})
	}
	return g
}

// at lists the components overlapping cell (gx, gy), which must be in the grid.
func (g cellGrid) at(gx, gy int) []int32 {
	c := gy*g.w + gx
	return g.list[g.start[c]:g.start[c+1]]
}
