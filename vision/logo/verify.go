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
// raster the region was cut from, once per match above MinConfidence, not
// per region and reference.

// edgeRing is how far (in raster pixels) from the boundary the inside and
// outside of a region are measured.
const edgeRing = 2

// edgeRatio returns the mean gradient on the boundary of c's mask over the
// smaller of the mean gradients on its deep inside and deep outside (at
// least edgeRing pixels from the boundary), plus one grey level: about 1 to
// 3 for a cut through texture or shading (steep everywhere, or nowhere),
// several for a flat mark on a plain panel or on texture (its inside is
// flat). The larger of the two would fail a mark drawn on fur.
// Grey regions are measured on g, colour ones on col (gradient as L1 over
// RGB, so an isoluminant mark has its outline too).
func edgeRatio(c *candidate, g grayImage, col rgbImage) float64 {
	w, h, ch, pix := g.w, g.h, 1, g.pix
	if c.colour {
		w, h, ch, pix = col.w, col.h, 3, col.pix
	}
	if len(pix) < w*h*ch || c.src.Empty() {
		return 0
	}
	area := c.src.Inset(-edgeRing - 1).Intersect(image.Rect(0, 0, w, h))
	aw, ah := area.Dx(), area.Dy()
	if aw < 3 || ah < 3 {
		return 0
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
	const win = 2*edgeRing + 1
	var gB, gI, gO, nB, nI, nO float64
	for y := range ah {
		for x := range aw {
			n := count(x-edgeRing, y-edgeRing, x+edgeRing+1, y+edgeRing+1)
			// The window is clipped at the picture's edge: compare with
			// its own size.
			full := int32((min(x+edgeRing+1, aw) - max(x-edgeRing, 0)) * (min(y+edgeRing+1, ah) - max(y-edgeRing, 0)))
			m := on[y*aw+x]
			switch {
			case m && n == full && full == win*win:
				gI += grad(x+area.Min.X, y+area.Min.Y)
				nI++
			case !m && n == 0 && full == win*win:
				gO += grad(x+area.Min.X, y+area.Min.Y)
				nO++
			case crossDiffers(on, aw, ah, x, y):
				gB += grad(x+area.Min.X, y+area.Min.Y)
				nB++
			}
		}
	}
	if nB == 0 {
		return 0
	}
	in, out := math.Inf(1), math.Inf(1)
	if nI > 0 {
		in = gI / nI
	}
	if nO > 0 {
		out = gO / nO
	}
	return (gB / nB) / (math.Min(in, out) + 1)
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

// edgeFactor maps an edge ratio to the factor a shape confidence is
// multiplied by: near 1 for a printed outline, near 0 for a cut through
// shading.
func (c Config) edgeFactor(ratio float64) float64 {
	if c.EdgeWidth == 0 {
		return 1
	}
	return sigmoid((ratio - c.EdgeMid) / c.EdgeWidth)
}
