package logo

import (
	"image"
	"math/bits"
	"sort"

	"counterlens/vision/internal/runs"
)

// This file labels the connected components of a thresholded grey raster
// from its runs (maximal horizontal stretches of one side of the threshold)
// instead of its pixels. The grey ladder needs both polarities at ten
// thresholds; one scan of a row cuts it into the runs of both, a run is
// linked to the runs of the row above that it touches, and a component's
// statistics and mask come from its runs. On photos there are a few dozen
// runs a row, so this does a fraction of the work of twenty OpenCV
// connectedComponentsWithStats passes over the pixels, with the same
// labels (same numbering, boxes and areas; TestRunLabelsMatchOpenCV).
// Cutting and linking runs is vision/internal/runs's, shared with the OCR's
// letter tests; the numbering and the masks are this file's.

// runLabeler holds one threshold cut of a w x h raster and its buffers,
// reused from cut to cut.
type runLabeler struct {
	w, h int
	// runs[p] are the runs of polarity p (0: above the threshold, 1: at
	// or below it) in raster order.
	runs [2]runs.Set
	sets runs.Forest
	// label[p] is each run of polarity p's component label (1..n,
	// numbered like OpenCV's), once components(p) has run on this cut.
	label [2][]int32
	// byLabel[p] lists the runs of polarity p label by label: label l's
	// are byLabel[p][start[p][l]:start[p][l+1]].
	byLabel, start [2][]int32
	// key, slot and filled order the labels (see components).
	key, slot []int32
	filled    []uint64
}

// cut splits pix (w x h) into the runs of v > t and of v <= t.
func (r *runLabeler) cut(pix []uint8, w, h int, t uint8) {
	r.w, r.h = w, h
	r.runs[0].Reset()
	r.runs[1].Reset()
	runs.Cut(pix, w, image.Rect(0, 0, w, h), t, &r.runs[0], &r.runs[1])
}

// components labels the 8-connected components of polarity p of the last
// cut and returns their statistics, indexed by label; comps[0] stands for
// the background, as in OpenCV, and is empty. The labels are numbered in
// the order OpenCV's default 8-connectivity algorithm (BBDT, which scans
// 2x2 blocks) meets them: by the first 2x2 block of the raster, in scan
// order, that holds a pixel of the component.
func (r *runLabeler) components(p int, comps []component) []component {
	rr := r.runs[p].Runs
	n := len(rr)
	if cap(r.sets) < n {
		r.sets = make(runs.Forest, n)
	}
	if cap(r.label[p]) < n {
		r.label[p] = make([]int32, n)
	}
	sets, label := r.sets[:n], r.label[p][:n]
	r.label[p] = label
	sets.Reset()
	r.runs[p].Link(sets, true)
	// Roots are each component's first run in raster order. The key of a
	// component is the index of its first 2x2 block in scan order.
	bw := int32((r.w + 1) / 2)
	r.key = r.key[:0]
	for i := range n {
		k := rr[i].Y/2*bw + rr[i].X0/2
		if root := sets.Find(int32(i)); root == int32(i) {
			label[i] = int32(len(r.key))
			r.key = append(r.key, k)
		} else {
			label[i] = label[root]
			r.key[label[i]] = min(r.key[label[i]], k)
		}
	}
	// Number the components by key: keys are distinct (a block's pixels
	// are 8-connected) and below the block count, so a table sorts them.
	// A bit a block marks the table's filled slots, so that the walk in
	// key order reads a word of 64 blocks at a time, not every slot.
	m := len(r.key)
	blocks := int(bw) * ((r.h + 1) / 2)
	if cap(r.slot) < blocks {
		r.slot = make([]int32, blocks)
		r.filled = make([]uint64, (blocks+63)/64)
	}
	slot, filled := r.slot[:blocks], r.filled[:(blocks+63)/64]
	for c, k := range r.key {
		slot[k] = int32(c) + 1
		filled[k>>6] |= 1 << uint(k&63)
	}
	order := r.key // reused: provisional index -> final label
	next := int32(1)
	for wi, w := range filled {
		if w == 0 {
			continue
		}
		filled[wi] = 0
		for ; w != 0; w &= w - 1 {
			b := wi<<6 | bits.TrailingZeros64(w)
			c := slot[b]
			slot[b] = 0
			order[c-1] = next
			next++
		}
	}
	comps = append(comps[:0], make([]component, m+1)...)
	start := append(r.start[p][:0], make([]int32, m+2)...)
	for i := range n {
		l := order[label[i]]
		label[i] = l
		c := &comps[l]
		rb := image.Rect(int(rr[i].X0), int(rr[i].Y), int(rr[i].X1), int(rr[i].Y)+1)
		if c.area == 0 {
			c.box = rb
		} else {
			c.box = c.box.Union(rb)
		}
		c.area += int(rr[i].X1 - rr[i].X0)
		start[l+1]++
	}
	for l := 1; l < len(start); l++ {
		start[l] += start[l-1]
	}
	byLabel := r.byLabel[p]
	if cap(byLabel) < n {
		byLabel = make([]int32, n)
	}
	byLabel = byLabel[:n]
	for i := range n {
		l := label[i]
		byLabel[start[l]] = int32(i)
		start[l]++
	}
	// start[l] is now where label l+1 begins: shift back.
	copy(start[1:], start[:len(start)-1])
	start[0] = 0
	r.start[p], r.byLabel[p] = start, byLabel
	return comps
}

// fill writes into buf the mask over box of the components of polarity p
// whose labels are ls (box must hold them).
func (r *runLabeler) fill(buf []uint8, p int, box image.Rectangle, ls ...int32) []uint8 {
	bw := box.Dx()
	n := bw * box.Dy()
	if cap(buf) < n {
		buf = make([]uint8, n)
	}
	buf = buf[:n]
	clear(buf)
	rr := r.runs[p].Runs
	byLabel, start := r.byLabel[p], r.start[p]
	for _, l := range ls {
		for _, i := range byLabel[start[l]:start[l+1]] {
			run := rr[i]
			off := (int(run.Y)-box.Min.Y)*bw - box.Min.X
			row := buf[off+int(run.X0) : off+int(run.X1)]
			for x := range row {
				row[x] = 1
			}
		}
	}
	return buf
}

// above returns the label of polarity 1-p of the pixel just above the
// first pixel (in raster order) of label l of polarity p, 0 when l starts
// on the top row. That pixel is of polarity 1-p (were it of p, it would be
// l's), and it lies outside l: it belongs to the component around l's
// outer edge, the one whose hole holds l when l is enclosed. Both
// polarities must be labelled on this cut.
func (r *runLabeler) above(p int, l int32) int32 {
	first := r.runs[p].Runs[r.byLabel[p][r.start[p][l]]]
	if first.Y == 0 {
		return 0
	}
	q := 1 - p
	row := r.runs[q].Runs[r.runs[q].Rows[first.Y-1]:r.runs[q].Rows[first.Y]]
	i := sort.Search(len(row), func(i int) bool { return row[i].X1 > first.X0 })
	if i == len(row) || row[i].X0 > first.X0 {
		return 0 // cannot happen on a whole cut
	}
	return r.label[q][int(r.runs[q].Rows[first.Y-1])+i]
}

// enclosing sets enc[l], for every label l of polarity p (comps, indexed
// by label), to the label of the component of polarity p in a hole of
// which l lies, or 0 when l lies in no hole: the component of 1-p around
// l (its hole) must not touch the raster's border (holes is polarity
// 1-p's comps), and the component around that hole is l's encloser. A
// ring's letters are enclosed by the ring, a quartered disc inside an
// inner ring by that ring, the inner ring by the outer one. Both
// polarities must be labelled on this cut.
func (r *runLabeler) enclosing(p int, comps, holes []component, enc []int32) []int32 {
	enc = append(enc[:0], make([]int32, len(comps))...)
	for l := 1; l < len(comps); l++ {
		h := r.above(p, int32(l))
		if h == 0 {
			continue
		}
		if b := holes[h].box; b.Min.X == 0 || b.Min.Y == 0 || b.Max.X == r.w || b.Max.Y == r.h {
			continue // the ground, not a hole
		}
		enc[l] = r.above(1-p, h)
	}
	return enc
}
