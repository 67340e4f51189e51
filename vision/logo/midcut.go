package logo

import (
	"bytes"
	"image"
)

// This file re-cuts a small region of the threshold ladder at the level
// midway between its ink and its ground. The ladder keeps a region at the
// first of its thresholds that gives the region's box, wherever that level
// falls between the mark's ink and its ground: with a step of 24 grey
// levels and a contrast of 40 to 100, a cut can lie anywhere from a fifth
// to four fifths of the way. On a mark 30 to 70 px long, whose strokes and
// gaps are a pixel or two, that decides whether letters run together: the
// seeds 42-46 misses at 16 references of that size had regions fatter than
// the reference's rendering (more ink, a better score eroded, fewer parts).
// A reference's small renderings are cut at half coverage (smallCuts), as
// a threshold halfway between a mark and its ground cuts a photo of it;
// the mid cut is that threshold, for the region at hand. Its ink is the
// region's extreme levels, not its mean: a stroke a pixel or two wide,
// area-sampled and blurred, never reaches the mark's own ink, and a cut
// midway to its mean ink would still run letters together.
//
// The same holds at any size (Config.MidCutLarge, on by default): the
// ladder keeps a light mark's region at the level nearest its ground, so a
// large blurred wordmark's letters run together, and a dark emblem's at
// the level nearest its ink, its strokes thinned. Where a small region's mid
// cut and ladder's cut differ in parts (midCutter.parts), both are kept:
// which of them the reference's rendering matches is known only once
// compared (see ladderRegions' emitCut).

// midInkShare is the share of a region's pixels, farthest from its ground,
// whose mean is its ink level. Of 256 composited wordmarks of 36-60 px
// (eight brands, four colourings, crisp and blurred, on home.jpg), 188
// scored over their midpoint with the ladder's cuts alone; with mid cuts
// added, 199 taking half the pixels for the ink, 208 a quarter, 212 a
// tenth; with mid cuts in place of the ladder's (as now), 207 a tenth.
const midInkShare = 0.1

// midSpill is the largest share of a region's margin that its mid cut may
// take beyond a pixel around its box: past that, the surround is not plain
// and the cut runs into it.
const midSpill = 0.02

// midCutter re-cuts regions, reusing its buffers from region to region.
type midCutter struct {
	side  []uint8 // over the widened box: 1 on the mark's side, 2 reached
	stack []int32
	out   []uint8
	// parts counts a cut's parts, to compare with the ladder's cut's
	// (ladderRegions' emitCut).
	parts partCounter
}

// cut re-cuts the region mask (over box, polarity p of pix, w x h: 0 the
// pixels above the threshold, 1 those at or below) at the level midway
// between its ink (the mean of the midInkShare of its pixels farthest from
// the ground) and its ground (the mean of a margin around box): the pixels on
// the mark's side of that level connected to the region's own, and how many
// they are. ok is false when the box lies against the raster's edge, the
// contrast is under minContrast, the cut spills into the margin (the
// surround is not plain) or gives the same mask.
func (mc *midCutter) cut(pix []uint8, w, h int, mask []uint8, box image.Rectangle, p, minContrast int) (image.Rectangle, []uint8, int, bool) {
	margin := max(2, max(box.Dx(), box.Dy())/8)
	outer := box.Inset(-margin)
	if !outer.In(image.Rect(0, 0, w, h)) {
		return box, nil, 0, false
	}
	// The ground: the margin's mean (the rows above and below the box
	// whole, the box's rows left and right of it).
	var gs, gn int
	for y := outer.Min.Y; y < outer.Max.Y; y++ {
		row := pix[y*w+outer.Min.X : y*w+outer.Max.X]
		if y >= box.Min.Y && y < box.Max.Y {
			gs += sumBytes(row[:box.Min.X-outer.Min.X]) + sumBytes(row[box.Max.X-outer.Min.X:])
			gn += len(row) - box.Dx()
			continue
		}
		gs += sumBytes(row)
		gn += len(row)
	}
	// The ink: the mean of the midInkShare of the region's pixels farthest
	// from the ground.
	ink, n := inkLevel(pix, w, mask, box, p)
	if n == 0 || gn == 0 {
		return box, nil, 0, false
	}
	bw := box.Dx()
	ground := float64(gs) / float64(gn)
	if d := ink - ground; p == 1 && -d < float64(minContrast) || p == 0 && d < float64(minContrast) {
		return box, nil, 0, false
	}
	mid := (ink + ground) / 2
	// Each pixel of outer: on the mark's side of mid or not (onSide, by
	// level), in a frame of one pixel off the mark's side, so that the
	// flood below reads its neighbours without bounds checks.
	var onSide [256]uint8
	for v := range 256 {
		if p == 1 && float64(v) <= mid || p == 0 && float64(v) > mid {
			onSide[v] = 1
		}
	}
	ow, oh := outer.Dx(), outer.Dy()
	fw := ow + 2 // the framed row
	if cap(mc.side) < fw*(oh+2) {
		mc.side = make([]uint8, fw*(oh+2))
	}
	side := mc.side[:fw*(oh+2)]
	clear(side[:fw])
	clear(side[(oh+1)*fw:])
	for y := range oh {
		row := pix[(y+outer.Min.Y)*w+outer.Min.X : (y+outer.Min.Y)*w+outer.Max.X]
		srow := side[(y+1)*fw : (y+2)*fw]
		srow[0], srow[fw-1] = 0, 0
		for x, v := range row {
			srow[x+1] = onSide[v]
		}
	}
	// Flood from the region's pixels on the mark's side, 8-connected. The
	// cut is dropped as soon as it spills past the margin's allowance.
	stack := mc.stack[:0]
	for y := box.Min.Y; y < box.Max.Y; y++ {
		srow := side[(y-outer.Min.Y+1)*fw+box.Min.X-outer.Min.X+1:]
		mrow := mask[(y-box.Min.Y)*bw : (y-box.Min.Y+1)*bw]
		for x, m := range mrow {
			if m != 0 && srow[x] == 1 {
				srow[x] = 2
				stack = append(stack, int32((y-outer.Min.Y+1)*fw+box.Min.X-outer.Min.X+1+x))
			}
		}
	}
	// inner is box.Inset(-1) in framed coordinates.
	inner := image.Rect(box.Min.X-outer.Min.X, box.Min.Y-outer.Min.Y, box.Max.X-outer.Min.X+2, box.Max.Y-outer.Min.Y+2)
	maxSpill := midSpill * float64(gn)
	spill, got := 0, 0
	x0, y0, x1, y1 := fw, oh+2, -1, -1
	near := [8]int{-fw - 1, -fw, -fw + 1, -1, 1, fw - 1, fw, fw + 1}
	for len(stack) > 0 {
		i := int(stack[len(stack)-1])
		stack = stack[:len(stack)-1]
		got++
		x, y := i%fw, i/fw
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		if x < inner.Min.X || y < inner.Min.Y || x >= inner.Max.X || y >= inner.Max.Y {
			if spill++; float64(spill) > maxSpill {
				mc.stack = stack
				return box, nil, 0, false
			}
		}
		for _, d := range near {
			if j := i + d; side[j] == 1 {
				side[j] = 2
				stack = append(stack, int32(j))
			}
		}
	}
	mc.stack = stack
	if got == 0 {
		return box, nil, 0, false
	}
	// Back from framed to photo coordinates.
	r := image.Rect(x0+outer.Min.X-1, y0+outer.Min.Y-1, x1+outer.Min.X, y1+outer.Min.Y)
	if cap(mc.out) < r.Dx()*r.Dy() {
		mc.out = make([]uint8, r.Dx()*r.Dy())
	}
	out := mc.out[:r.Dx()*r.Dy()]
	same := r == box
	for y := r.Min.Y; y < r.Max.Y; y++ {
		srow := side[(y-outer.Min.Y+1)*fw+r.Min.X-outer.Min.X+1:]
		orow := out[(y-r.Min.Y)*r.Dx() : (y-r.Min.Y+1)*r.Dx()]
		for x := range orow {
			v := uint8(0)
			if srow[x] == 2 {
				v = 1
			}
			orow[x] = v
		}
		if same && !bytes.Equal(orow, mask[(y-r.Min.Y)*r.Dx():(y-r.Min.Y+1)*r.Dx()]) {
			same = false
		}
	}
	if same {
		return box, nil, 0, false
	}
	return r, out, got, true
}

// sumBytes is the sum of b's bytes.
func sumBytes(b []uint8) int {
	s := 0
	for _, v := range b {
		s += int(v)
	}
	return s
}

// inkLevel is the mean of the midInkShare of a region's pixels (mask, over
// box of pix, w wide) farthest from the ground on polarity p's side (p 1:
// dark ink, from the darkest up), read from their histogram, and how many
// pixels the mask holds (0: no level).
func inkLevel(pix []uint8, w int, mask []uint8, box image.Rectangle, p int) (float64, int) {
	var hist [256]int
	n := 0
	bw := box.Dx()
	for y := box.Min.Y; y < box.Max.Y; y++ {
		row := pix[y*w+box.Min.X : y*w+box.Max.X]
		for x, v := range row {
			if mask[(y-box.Min.Y)*bw+x] != 0 {
				hist[v]++
				n++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	var is, in int
	want := max(1, int(midInkShare*float64(n)))
	for k := range 256 {
		v := k
		if p == 0 {
			v = 255 - k
		}
		if in >= want {
			break
		}
		take := min(hist[v], want-in)
		is += take * v
		in += take
	}
	return float64(is) / float64(in), n
}
