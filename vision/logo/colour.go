package logo

import (
	"context"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"

	"counterlens/vision/internal/runs"
)

// This file holds the second candidate-region generator: flat colour zones.
// A registered mark is nearly always drawn in one flat colour. Straight on a
// busy photo no grey threshold separates it (its component runs into the
// texture around it, and a recolour as bright as the background is not
// there at all in grey), but its pixels are connected to each other by
// steps of a few colour levels and to everything around it by a step as
// big as its colour contrast. So the zones of a colour raster whose
// neighbouring pixels differ by less than a tolerance (union-find over the
// 4-neighbourhood, at a few tolerances) are candidate regions too; they feed
// the shape route like the grey ones.

// rgbImage is an 8-bit RGB raster, 3 bytes per pixel.
type rgbImage struct {
	w, h int
	pix  []uint8
}

// toRGB box-filters img down so that its longer side is at most maxSide and
// returns it with the factor from source pixels to raster pixels (<= 1).
// Transparent pixels are composited onto white.
func toRGB(img image.Image, maxSide int) (rgbImage, float64) {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	w, h, xmap := fitRaster(sw, sh, maxSide)
	if w == sw && h == sh {
		if out, ok := rgbUnscaled(img); ok {
			return out, 1
		}
	}
	return rgbBoxed(img, w, h, xmap), float64(w) / float64(sw)
}

// rgbBoxed is toRGB's box filter of img onto a w x h raster, source column
// x going to raster column xmap[x].
func rgbBoxed(img image.Image, w, h int, xmap []int) rgbImage {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	// Source rows reach raster rows in order, so one raster row's sums
	// are kept at a time and averaged into it when the next row begins.
	out := rgbImage{w: w, h: h, pix: make([]uint8, 3*w*h)}
	sum := make([]uint32, 3*w)
	cnt := make([]uint32, w)
	done := 0 // raster rows written
	flushTo := func(r int) {
		for ; done < r; done++ {
			averageInto(out.pix[3*done*w:3*(done+1)*w], sum, cnt)
			clear(sum)
			clear(cnt)
		}
	}
	add := func(i int, r, g, bl uint32) {
		sum[3*i] += r
		sum[3*i+1] += g
		sum[3*i+2] += bl
		cnt[i]++
	}
	var ccol []int
	for y := range sh {
		flushTo(min(h-1, int(float64(y)*float64(h)/float64(sh))))
		switch src := img.(type) {
		case *image.YCbCr:
			// A chroma offset is a row's part plus a column's (every
			// subsampling ratio divides x and y apart), so the row's
			// part is taken once and the columns' once a picture.
			if ccol == nil {
				ccol = make([]int, sw)
				for x := range sw {
					ccol[x] = src.COffset(x+b.Min.X, src.Rect.Min.Y)
				}
			}
			yrow := src.Y[src.YOffset(b.Min.X, y+b.Min.Y):]
			crow := src.COffset(src.Rect.Min.X, y+b.Min.Y)
			for x := range sw {
				ci := crow + ccol[x]
				// color.YCbCrToRGB's formulae and clamping, written
				// out: the call cost as much as its arithmetic.
				yy := int32(yrow[x]) * 0x10101
				cb, cr := int32(src.Cb[ci])-128, int32(src.Cr[ci])-128
				i := xmap[x]
				s := sum[3*i : 3*i+3]
				s[0] += clamp16(yy + 91881*cr)
				s[1] += clamp16(yy - 22554*cb - 46802*cr)
				s[2] += clamp16(yy + 116130*cb)
				cnt[i]++
			}
		case *image.RGBA:
			row := src.Pix[src.PixOffset(b.Min.X, y+b.Min.Y):]
			for x := range sw {
				p := row[4*x : 4*x+4]
				wh := 255 - uint32(p[3]) // premultiplied: on white
				add(xmap[x], uint32(p[0])+wh, uint32(p[1])+wh, uint32(p[2])+wh)
			}
		default:
			for x := range sw {
				r, g, bl, a := img.At(x+b.Min.X, y+b.Min.Y).RGBA()
				wh := 0xffff - a
				add(xmap[x], (r+wh)>>8, (g+wh)>>8, (bl+wh)>>8)
			}
		}
	}
	flushTo(h)
	return out
}

// clamp16 is v/65536 clamped to [0, 255], as [color.YCbCrToRGB] takes
// it (the same bytes: TestRGBBoxedYCbCrMatchesDefinition).
func clamp16(v int32) uint32 {
	if uint32(v)&0xff000000 == 0 {
		return uint32(v) >> 16
	}
	return uint32(uint8(^(v >> 31)))
}

// averageInto writes into dst (3 bytes a cell) the colour sums over
// their counts, rounded; a cell no source pixel fell in is white.
func averageInto(dst []uint8, sum, cnt []uint32) {
	for i, c := range cnt {
		p := dst[3*i : 3*i+3]
		if c == 0 {
			p[0], p[1], p[2] = 255, 255, 255
			continue
		}
		s := sum[3*i : 3*i+3]
		p[0] = uint8(min(255, (s[0]+c/2)/c))
		p[1] = uint8(min(255, (s[1]+c/2)/c))
		p[2] = uint8(min(255, (s[2]+c/2)/c))
	}
}

// rgbUnscaled is toRGB's raster of a YCbCr or RGBA picture it does not
// scale: each raster pixel is one source pixel, whose sum over a count of
// one is the pixel itself, so it is written as it is read (false for other
// picture types).
func rgbUnscaled(img image.Image) (rgbImage, bool) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := rgbImage{w: w, h: h, pix: make([]uint8, 3*w*h)}
	switch src := img.(type) {
	case *image.YCbCr:
		for y := range h {
			o := out.pix[3*y*w : 3*(y+1)*w]
			for x := range w {
				yi := src.YOffset(x+b.Min.X, y+b.Min.Y)
				ci := src.COffset(x+b.Min.X, y+b.Min.Y)
				o[3*x], o[3*x+1], o[3*x+2] = color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
			}
		}
	case *image.RGBA:
		for y := range h {
			row := src.Pix[src.PixOffset(b.Min.X, y+b.Min.Y):]
			o := out.pix[3*y*w : 3*(y+1)*w]
			for x := range w {
				p := row[4*x : 4*x+4]
				wh := 255 - uint32(p[3]) // premultiplied: on white
				for k := range 3 {
					o[3*x+k] = uint8(min(255, uint32(p[k])+wh))
				}
			}
		}
	default:
		return rgbImage{}, false
	}
	return out, true
}

// smoothed returns c through a 3x3 median per channel: it removes JPEG's
// chroma speckle on saturated colours, which breaks flat zones apart,
// without widening edges.
func (c rgbImage) smoothed() (rgbImage, error) {
	m, err := gocv.NewMatFromBytes(c.h, c.w, gocv.MatTypeCV8UC3, c.pix)
	if err != nil {
		return c, err
	}
	defer m.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	gocv.MedianBlur(m, &dst, 3)
	return rgbImage{w: c.w, h: c.h, pix: dst.ToBytes()}, nil
}

// colourStep is the L1 RGB difference of two neighbouring pixels. The
// absolute values take no branch (v>>63 is 0 or -1, and v^s - s is v or
// -v): on a photo's colours the sign of a difference is a coin toss.
func colourStep(p []uint8, i, j int) int {
	a, b := p[3*i:3*i+3], p[3*j:3*j+3]
	d := 0
	for k := range 3 {
		v := int(a[k]) - int(b[k])
		s := v >> 63
		d += v ^ s - s
	}
	return d
}

// colourCandidates finds the flat colour zones of c at every tolerance of
// cfg.ColourTols, alone and grouped with neighbours like the grey regions.
// toWork maps the colour raster's pixels to the working raster's (>= 1).
// Regions whose working box was already seen (by the grey ladder) are
// skipped.
func colourCandidates(ctx context.Context, c rgbImage, toWork float64, cfg Config, seen map[boxKey]bool) ([]*candidate, error) {
	cc := cfg.colourLimits(toWork)
	n := c.w * c.h
	sets := make(runs.Forest, n)
	lab := make([]int32, n)
	var out []*candidate
	var comps []component
	var sums []uint32 // RGB sums per zone
	var buf []uint8
	var grown []uint8
	// add grows a zone's mask by one pixel (the edge ramp that no zone
	// takes) and makes it a candidate.
	// Two-tone cuts are new masks even where their box is a zone's.
	cutSeen := make(map[boxKey]bool)
	add1 := func(pix []uint8, box image.Rectangle, seen map[boxKey]bool) {
		out = addColourCandidate(out, pix, box, toWork, cc, seen, false)
	}
	var sharp []uint8
	add := func(pix []uint8, box image.Rectangle) {
		var rbox image.Rectangle
		var ok bool
		if cfg.SplitTwoTone {
			rbox, sharp, ok = twoTone(sharp, c, pix, box)
		}
		// The grown box is known before the mask is grown: a box already
		// seen would be dropped by add1, so it is not grown at all.
		if gbox := grownBox(box, c.w, c.h); !seen[keyOf(toWorkRect(gbox, toWork))] {
			gbox, grown = dilate(grown, pix, box, c.w, c.h)
			add1(grown, gbox, seen)
		}
		if ok {
			add1(sharp, rbox, cutSeen)
		}
	}
	// grad is the largest colour change across each pixel (from its left
	// to its right neighbour, and from above to below): a blurred or
	// chroma-subsampled edge ramps over a pixel or two, in steps small
	// enough to chain a mark to its background, but not across two pixels.
	// right and down are the steps to each pixel's right and lower
	// neighbour, which every tolerance tests: taken once.
	grad := make([]int, n)
	right, down := make([]int16, n), make([]int16, n)
	for y := range c.h {
		for x := range c.w {
			i := y*c.w + x
			l, r := max(x-1, 0), min(x+1, c.w-1)
			u, d := max(y-1, 0), min(y+1, c.h-1)
			grad[i] = max(colourStep(c.pix, y*c.w+l, y*c.w+r), colourStep(c.pix, u*c.w+x, d*c.w+x))
			if x+1 < c.w {
				right[i] = int16(colourStep(c.pix, i, i+1))
			}
			if y+1 < c.h {
				down[i] = int16(colourStep(c.pix, i, i+c.w))
			}
		}
	}
	for _, tol := range cfg.ColourTols {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sets.Reset()
		for y := range c.h {
			row := y * c.w
			for x := range c.w {
				i := row + x
				if grad[i] > tol {
					continue
				}
				if x+1 < c.w && grad[i+1] <= tol && int(right[i]) <= tol {
					sets.Union(int32(i), int32(i+1))
				}
				if y+1 < c.h && grad[i+c.w] <= tol && int(down[i]) <= tol {
					sets.Union(int32(i), int32(i+c.w))
				}
			}
		}
		// Label the zones 1..k (component 0 is unused, as label 0 is the
		// background of a threshold's components) with their boxes and areas.
		// (A root is its own parent; counting them first sizes the tables.)
		zones := 0
		for i, p := range sets {
			if p == int32(i) {
				zones++
			}
		}
		if cap(comps) < zones+1 {
			comps = make([]component, 0, zones+1)
			sums = make([]uint32, 3*(zones+1))
		}
		comps = append(comps[:0], component{})
		sums = sums[:3*(zones+1)]
		clear(sums)
		for y := range c.h {
			for x := range c.w {
				i := y*c.w + x
				r := sets.Find(int32(i))
				var l int32
				if r == int32(i) {
					l = int32(len(comps))
					comps = append(comps, component{box: image.Rect(x, y, x+1, y+1)})
				} else {
					// A zone's first pixel (its root, the smallest index)
					// made its box, so the box only grows here.
					l = lab[r]
					b := &comps[l].box
					b.Min.X, b.Max.X, b.Max.Y = min(b.Min.X, x), max(b.Max.X, x+1), y+1
				}
				lab[i] = l
				comps[l].area++
				s := sums[3*int(l) : 3*int(l)+3]
				s[0] += uint32(c.pix[3*i])
				s[1] += uint32(c.pix[3*i+1])
				s[2] += uint32(c.pix[3*i+2])
			}
		}
		for k := 1; k < len(comps); k++ {
			z := comps[k]
			if !cc.acceptBox(z.box, z.area, c.w, c.h) {
				continue
			}
			buf = fill(buf, lab, c.w, z.box, int32(k), nil)
			add(buf, z.box)
		}
		// Zones tile the picture, so every zone touches its neighbours:
		// only zones of one colour (letters of a wordmark) are grouped.
		groupOf, groups := groupComponents(comps, cc, func(a, b int) bool {
			d := 0
			for k := range 3 {
				v := int(sums[3*a+k]/uint32(comps[a].area)) - int(sums[3*b+k]/uint32(comps[b].area))
				d += max(v, -v)
			}
			return d <= 2*tol
		})
		for gi, gr := range groups {
			if !cc.acceptBox(gr.box, gr.area, c.w, c.h) {
				continue
			}
			id := int32(gi)
			buf = fill(buf, lab, c.w, gr.box, id, groupOf)
			add(buf, gr.box)
		}
	}
	return out, nil
}

// colourLimits returns c with its size limits in the pixels of a colour
// raster toWork times smaller than the working raster.
func (c Config) colourLimits(toWork float64) Config {
	cc := c
	cc.MinSide = max(4, int(float64(c.MinSide)/toWork))
	cc.MinArea = max(4, int(float64(c.MinArea)/(toWork*toWork)))
	cc.MinPartArea = max(1, int(float64(c.MinPartArea)/(toWork*toWork)))
	cc.SmallSide = max(cc.MinSide, int(float64(c.SmallSide)/toWork))
	return cc
}

// toWorkRect maps a box of the colour raster to the working raster's
// pixels (toWork >= 1), rounding outwards.
// addColourCandidate adds the mask pix over box of the colour raster as a
// colour candidate when its working box (toWorkRect) is not in seen yet
// (its nestedKey when nested: a component with the parts in its holes);
// cc are the limits of colourLimits.
func addColourCandidate(out []*candidate, pix []uint8, box image.Rectangle, toWork float64, cc Config, seen map[boxKey]bool, nested bool) []*candidate {
	wb := toWorkRect(box, toWork)
	key := keyOf(wb)
	if nested {
		key = nestedKey(wb)
	}
	if !freshKey(seen, key) {
		return out
	}
	before := len(out)
	out = addCandidate(out, pix, box, cc)
	if len(out) > before {
		out[before].box = wb
		out[before].colour = true
		out[before].nested = nested
	}
	return out
}

func toWorkRect(b image.Rectangle, toWork float64) image.Rectangle {
	return image.Rect(int(float64(b.Min.X)*toWork), int(float64(b.Min.Y)*toWork),
		int(math.Ceil(float64(b.Max.X)*toWork)), int(math.Ceil(float64(b.Max.Y)*toWork)))
}

// photoCandidates returns the candidate regions of a photo: the grey
// ladder's on g (img at scale), then the flat colour zones and the chroma
// ladder's regions that add a region the ladder did not find. The zones
// are cut from the colour raster through its median (JPEG's chroma
// speckle breaks a flat zone apart), the chroma ladder from the raster
// itself: a threshold is not broken by speckle, and the median erases a
// stroke one colour pixel wide (two working pixels: the letters and thin
// strokes of small marks), which is the colour raster's own resolution
// of a 4:2:0 JPEG's chroma.
func photoCandidates(ctx context.Context, img image.Image, g grayImage, scale float64, cfg Config) ([]*candidate, rgbImage, error) {
	cands, err := sceneCandidates(ctx, g, cfg)
	if err != nil || cfg.ColourSide == 0 {
		return cands, rgbImage{}, err
	}
	seen := make(map[boxKey]bool, len(cands))
	grey := indexBoxes(cands) // a colour region with a grey one's box is new unless it has its shape too (twins.go)
	raw, cscale := toRGB(img, min(cfg.ColourSide, max(g.w, g.h)))
	c, err := raw.smoothed()
	if err != nil {
		return nil, c, err
	}
	more, err := colourCandidates(ctx, c, scale/cscale, cfg, seen)
	if err != nil {
		return nil, c, err
	}
	cands = append(cands, grey.dropTwins(more)...)
	if cfg.ChromaStep > 0 {
		if more, err = chromaCandidates(ctx, raw, scale/cscale, cfg, seen); err != nil {
			return nil, c, err
		}
		cands = append(cands, grey.dropTwins(more)...)
	}
	return cands, c, nil
}

// grownBox is box grown by a pixel each way within a w x h raster: the box
// of the mask dilate grows.
func grownBox(box image.Rectangle, w, h int) image.Rectangle {
	return box.Inset(-1).Intersect(image.Rect(0, 0, w, h))
}

// dilate grows the mask pix (box-sized) by one pixel in the
// 8-neighbourhood, within a w x h raster, into buf; it returns the grown box.
// The 3x3 square is grown a row at a time: each row widened by a pixel
// either side, then laid over the rows above and below it too.
func dilate(buf, pix []uint8, box image.Rectangle, w, h int) (image.Rectangle, []uint8) {
	nb := grownBox(box, w, h)
	bw, nw, nh := box.Dx(), nb.Dx(), nb.Dy()
	n := nw*nh + nw // the last row is scratch for the widened row
	if cap(buf) < n {
		buf = make([]uint8, n)
	}
	buf = buf[:n]
	clear(buf)
	wide := buf[nw*nh:]
	ox, oy := box.Min.X-nb.Min.X, box.Min.Y-nb.Min.Y
	for y := range box.Dy() {
		row, lit := pix[y*bw:(y+1)*bw], false
		for x, v := range row {
			if v != 0 {
				gx := x + ox
				wide[max(gx-1, 0)], wide[gx] = 1, 1
				if gx+1 < nw {
					wide[gx+1] = 1
				}
				lit = true
			}
		}
		if !lit {
			continue
		}
		for gy := max(y+oy-1, 0); gy <= min(y+oy+1, nh-1); gy++ {
			dst := buf[gy*nw : (gy+1)*nw]
			for x, v := range wide {
				dst[x] |= v
			}
		}
		clear(wide)
	}
	return nb, buf[:nw*nh]
}

// twoTone re-cuts a zone (mask pix over box) on a plain surround: each
// pixel of the box, widened by a margin, is classed by which of the zone's
// mean colour and the margin's mean colour it is nearer (a threshold at the
// midpoint of the two along the line joining them). A blurred edge or a
// thin stroke (whose zone lost it: no flat interior) keeps its width that
// way. It gives up (ok false) when the surround is not plain: too little
// contrast, or mark-coloured pixels in the margin.
func twoTone(buf []uint8, c rgbImage, pix []uint8, box image.Rectangle) (image.Rectangle, []uint8, bool) {
	f, ok := fitTones(c, pix, box)
	if !ok {
		return box, buf, false
	}
	outer, nb := f.outer, f.nb
	// A plain surround: hardly any margin pixel takes the mark's side.
	// Each pixel's side is kept in buf, laid over outer, for the mask.
	ow := outer.Dx()
	if n := ow * outer.Dy(); cap(buf) < n {
		buf = make([]uint8, n)
	}
	buf = buf[:ow*outer.Dy()]
	stray := 0
	x0, y0, x1, y1 := outer.Max.X, outer.Max.Y, outer.Min.X-1, outer.Min.Y-1
	inner := box.Inset(-1)
	for y := outer.Min.Y; y < outer.Max.Y; y++ {
		row := buf[(y-outer.Min.Y)*ow : (y-outer.Min.Y+1)*ow]
		for x := outer.Min.X; x < outer.Max.X; x++ {
			row[x-outer.Min.X] = 0
			if !f.on(c, x, y) {
				continue
			}
			row[x-outer.Min.X] = 1
			if !(image.Point{x, y}).In(inner) {
				stray++
			}
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		}
	}
	if float64(stray) > 0.02*nb || x1 < x0 {
		return box, buf, false
	}
	// The mask over r, moved row by row to the start of buf: r lies in
	// outer, so each row lands at or before where it was read.
	r := image.Rect(x0, y0, x1+1, y1+1)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := (y-outer.Min.Y)*ow + r.Min.X - outer.Min.X
		copy(buf[(y-r.Min.Y)*r.Dx():], buf[src:src+r.Dx()])
	}
	return r, buf[:r.Dx()*r.Dy()], true
}

// toneFit is the two colours [twoTone] classes a zone's pixels between:
// the surround's mean b, the direction d (and its squared length dd) from
// it to the zone's mean, the box widened by the margin (outer) and the
// count of margin pixels (nb).
type toneFit struct {
	b, d  [3]float64
	dd    float64
	outer image.Rectangle
	nb    float64
}

// on says whether the pixel (x, y) of c lies nearer the zone's colour than
// the surround's: past the midpoint along the line joining the two.
func (f *toneFit) on(c rgbImage, x, y int) bool {
	i := 3 * (y*c.w + x)
	t := ((float64(c.pix[i])-f.b[0])*f.d[0] + (float64(c.pix[i+1])-f.b[1])*f.d[1] + (float64(c.pix[i+2])-f.b[2])*f.d[2]) / f.dd
	return t > 0.5
}

// fitTones measures the zone (mask pix over box) and its margin in c; ok
// is false when the box lies against the picture's edge or the two colours
// are too close to be told apart.
func fitTones(c rgbImage, pix []uint8, box image.Rectangle) (f toneFit, ok bool) {
	var m [3]float64
	b, d := &f.b, &f.d
	var nm float64
	bw := box.Dx()
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			if pix[(y-box.Min.Y)*bw+x-box.Min.X] != 0 {
				i := 3 * (y*c.w + x)
				m[0], m[1], m[2] = m[0]+float64(c.pix[i]), m[1]+float64(c.pix[i+1]), m[2]+float64(c.pix[i+2])
				nm++
			}
		}
	}
	margin := max(2, max(box.Dx(), box.Dy())/8)
	f.outer = box.Inset(-margin).Intersect(image.Rect(0, 0, c.w, c.h))
	for y := f.outer.Min.Y; y < f.outer.Max.Y; y++ {
		for x := f.outer.Min.X; x < f.outer.Max.X; x++ {
			if (image.Point{x, y}).In(box) {
				continue
			}
			i := 3 * (y*c.w + x)
			b[0], b[1], b[2] = b[0]+float64(c.pix[i]), b[1]+float64(c.pix[i+1]), b[2]+float64(c.pix[i+2])
			f.nb++
		}
	}
	if nm == 0 || f.nb < float64(margin*(box.Dx()+box.Dy())) {
		return f, false // the box is against the picture's edge
	}
	var l1 float64
	for k := range 3 {
		m[k] /= nm
		b[k] /= f.nb
		d[k] = m[k] - b[k]
		f.dd += d[k] * d[k]
		l1 += math.Abs(d[k])
	}
	if l1 < minTwoToneContrast {
		return f, false
	}
	return f, true
}

// minTwoToneContrast is the least L1 RGB distance of a zone's colour from
// its surround's for [twoTone] to re-cut it.
const minTwoToneContrast = 40
