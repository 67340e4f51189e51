package logo

import (
	"image"
	"math"
)

// This file holds the verification of a shape match before it is reported.
// The shape score compares silhouettes only, and with a thousand references
// some plain one (an S-curve, a disc with a bite, a block) fits the
// threshold blob of a shaded object about as well as a real mark fits its
// reference. What such a blob lacks is an outline: a registered mark is
// printed, so its region ends at a step of colour, while a threshold cut
// through shading or texture ends where the grey level happens to cross the
// threshold, no steeper there than inside or around it. So a match is
// reported only where the gradient on the region's boundary stands out
// from the gradient just inside and just outside it. It is measured on the
// grey and the colour raster, once per match above MinConfidence, not per
// region and reference.

// edgeRing is how far (in raster pixels) from the boundary the inside and
// outside of a region are measured.
const edgeRing = 2

// edgeRatio returns the mean gradient on the boundary of c's mask over the
// smaller of the mean gradients on its deep inside and deep outside (at
// least edgeRing pixels from the boundary), plus one grey level: about 1 to
// 3 for a cut through texture or shading (steep everywhere, or nowhere),
// several for a flat mark on a plain panel or on texture (its inside is
// flat). The larger of the two would fail a mark drawn on fur.
// The mask is measured on both rasters, the grey g and the colour col
// (gradient as L1 over RGB), and the larger ratio counts: a region's
// outline is where the mark's step is, and the raster a region was cut
// from need not show it. A light green mark on a mid-grey wall is cut from
// the grey raster (its grey level differs a little, evenly) while its step
// is one of hue; a cut through shading has no step of colour on either.
// The other raster counts only where the boundary is steeper than both the
// inside and the outside there (see outlined).
func edgeRatio(c *candidate, g grayImage, col rgbImage) float64 {
	type raster struct {
		pix     []uint8
		w, h, n int // n channels
	}
	cut, alt := raster{g.pix, g.w, g.h, 1}, raster{col.pix, col.w, col.h, 3}
	if c.colour {
		cut, alt = alt, cut
	}
	own := measureEdge(c, cut.pix, cut.w, cut.h, cut.n, edgeRing)
	var other edgeParts
	if o, ok := resampled(c, cut.w, cut.h, alt.w, alt.h); ok {
		other = measureEdge(o, alt.pix, alt.w, alt.h, alt.n, edgeRing)
	}
	if !other.outlined() {
		return own.ratio()
	}
	return max(own.ratio(), other.ratio())
}

// outlined reports whether the boundary is steeper than both the inside
// and the outside, as the outline of a printed mark is: on the raster the
// region was not cut from, a flat patch amid texture has a calm inside and
// a boundary calmer than its surround, which the ratio alone would pass.
func (e edgeParts) outlined() bool {
	return e.nB > 0 && e.nI > 0 && e.nO > 0 && e.gB/e.nB > max(e.gI/e.nI, e.gO/e.nO)
}

// resampled is c's mask, cut from a w×h raster, moved to an ow×oh raster
// of the same picture (nearest pixel); ok is false when there is none.
func resampled(c *candidate, w, h, ow, oh int) (o *candidate, ok bool) {
	if w <= 0 || h <= 0 || ow <= 0 || oh <= 0 || c.src.Empty() {
		return nil, false
	}
	sx, sy := float64(ow)/float64(w), float64(oh)/float64(h)
	src := image.Rect(int(float64(c.src.Min.X)*sx), int(float64(c.src.Min.Y)*sy),
		int(math.Ceil(float64(c.src.Max.X)*sx)), int(math.Ceil(float64(c.src.Max.Y)*sy))).Intersect(image.Rect(0, 0, ow, oh))
	if src.Empty() {
		return nil, false
	}
	bw, bh, nw := c.src.Dx(), c.src.Dy(), src.Dx()
	mask := make([]uint8, nw*src.Dy())
	for y := range src.Dy() {
		oy := min(int((float64(y+src.Min.Y)+0.5)/sy)-c.src.Min.Y, bh-1)
		if oy < 0 {
			continue
		}
		for x := range nw {
			if ox := min(int((float64(x+src.Min.X)+0.5)/sx)-c.src.Min.X, bw-1); ox >= 0 {
				mask[y*nw+x] = c.mask[oy*bw+ox]
			}
		}
	}
	return &candidate{src: src, mask: mask, colour: !c.colour}, true
}

// edgeParts are the mean gradients on a region's boundary, deep inside and
// deep outside it, and how many pixels each holds.
type edgeParts struct {
	gB, gI, gO, nB, nI, nO float64
}

// ratio is edgeRatio's figure from the parts: 0 without a boundary.
func (e edgeParts) ratio() float64 {
	if e.nB == 0 {
		return 0
	}
	in, out := math.Inf(1), math.Inf(1)
	if e.nI > 0 {
		in = e.gI / e.nI
	}
	if e.nO > 0 {
		out = e.gO / e.nO
	}
	return (e.gB / e.nB) / (math.Min(in, out) + 1)
}

// measureEdge sums the gradients of the w×h raster pix (ch channels) on c's
// boundary, and at least ring pixels inside and outside it.
func measureEdge(c *candidate, pix []uint8, w, h, ch, ring int) edgeParts {
	if len(pix) < w*h*ch || c.src.Empty() {
		return edgeParts{}
	}
	area := c.src.Inset(-ring - 1).Intersect(image.Rect(0, 0, w, h))
	aw, ah := area.Dx(), area.Dy()
	if aw < 3 || ah < 3 {
		return edgeParts{}
	}
	// on: the mask over area; sum: its integral image, for counting the
	// mask pixels of any window.
	on := make([]bool, aw*ah)
	sb, bw := c.src, c.src.Dx()
	for y := max(sb.Min.Y, area.Min.Y); y < min(sb.Max.Y, area.Max.Y); y++ {
		for x := max(sb.Min.X, area.Min.X); x < min(sb.Max.X, area.Max.X); x++ {
			on[(y-area.Min.Y)*aw+x-area.Min.X] = c.mask[(y-sb.Min.Y)*bw+x-sb.Min.X] != 0
		}
	}
	sum := make([]int32, (aw+1)*(ah+1))
	for y := range ah {
		var row int32
		for x := range aw {
			if on[y*aw+x] {
				row++
			}
			sum[(y+1)*(aw+1)+x+1] = sum[y*(aw+1)+x+1] + row
		}
	}
	count := func(x0, y0, x1, y1 int) int32 { // mask pixels in [x0,x1) x [y0,y1), clipped
		x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, aw), min(y1, ah)
		return sum[y1*(aw+1)+x1] - sum[y0*(aw+1)+x1] - sum[y1*(aw+1)+x0] + sum[y0*(aw+1)+x0]
	}
	grad := func(x, y int) float64 { // x, y in raster pixels, within area
		l, r := max(x-1, 0), min(x+1, w-1)
		u, d := max(y-1, 0), min(y+1, h-1)
		s := 0
		for k := range ch {
			s += absInt(int(pix[(y*w+r)*ch+k])-int(pix[(y*w+l)*ch+k])) + absInt(int(pix[(d*w+x)*ch+k])-int(pix[(u*w+x)*ch+k]))
		}
		return float64(s) / 2
	}
	win := 2*ring + 1
	var gB, gI, gO, nB, nI, nO float64
	for y := range ah {
		for x := range aw {
			n := count(x-ring, y-ring, x+ring+1, y+ring+1)
			// The window is clipped at the picture's edge: compare with
			// its own size.
			full := int32((min(x+ring+1, aw) - max(x-ring, 0)) * (min(y+ring+1, ah) - max(y-ring, 0)))
			m := on[y*aw+x]
			switch {
			case m && n == full && full == int32(win*win):
				gI += grad(x+area.Min.X, y+area.Min.Y)
				nI++
			case !m && n == 0 && full == int32(win*win):
				gO += grad(x+area.Min.X, y+area.Min.Y)
				nO++
			case crossDiffers(on, aw, ah, x, y):
				gB += grad(x+area.Min.X, y+area.Min.Y)
				nB++
			}
		}
	}
	return edgeParts{gB, gI, gO, nB, nI, nO}
}

// crossDiffers reports whether a 4-neighbour of (x, y) is on where (x, y)
// is off or the other way round (outside the grid is off).
func crossDiffers(on []bool, w, h, x, y int) bool {
	at := func(x, y int) bool { return x >= 0 && y >= 0 && x < w && y < h && on[y*w+x] }
	m := on[y*w+x]
	return at(x-1, y) != m || at(x+1, y) != m || at(x, y-1) != m || at(x, y+1) != m
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
