package logo

import (
	"image"
	"math"
)

// This file holds the finer cut of small regions. The grey ladder cuts a
// photo at fixed levels 24 apart, so a small mark of low contrast is cut
// wherever a level happens to fall between its grey and its background's:
// near the background's grey its strokes thicken and merge, near its own
// they thin and break. At 40 px, where a stroke is one or two pixels, that
// decides the shape; and the region's mask has whole-pixel steps that its
// 64-cell raster enlarges. The references' small renderings (small.go) are
// cut at half coverage, halfway between mark and background. A small grey
// region is therefore cut again as those are: its grey pixels, upsampled
// twice bilinearly, at the grey halfway between the mark's mean and its
// surround's, kept within a pixel of the ladder's mask. Regions that cut
// the same (one mark found at several levels) keep one finer cut. The null
// corpus goes through the same cut (nullCandidates calls photoCandidates),
// so the references' midpoints cover what it adds.

// finerSide is the longest side, in working pixels, of a region cut finer:
// the size up to which strokes are a pixel or two (SmallSide's range).
const finerSide = 72

// finerScale is the upsampling of the finer cut.
const finerScale = 2

// finerMinContrast is the least difference between a region's mean grey
// and its surround's for a finer cut: under it the halfway grey is noise.
const finerMinContrast = 12

// finerCost is taken off a finer cut's score (scoreSearch): it is a
// second look at a region already scored, which fits by chance a little
// better than one, as smallCost and taperCost are for the extra views.
const finerCost = 0.02

// finerCuts returns cands and, for the grey ladder's small regions (long
// side under finerSide; not colour regions), their finer cuts (see the file
// comment) from pix, the blurred working raster (w x h) they were cut from,
// each once: a finer cut that repeats another's is left out. A finer cut is
// a region of its own with the ladder region's box, mask and moments, so
// verification and the size rules see it as the ladder's, and only its
// views differ; the ladder's cut stays, as it fits some marks better.
func finerCuts(cands []*candidate, pix []uint8, w, h int) []*candidate {
	seen := make(map[boxKey]bool)
	var dil []uint8
	n := len(cands)
	for _, c := range cands[:n] {
		if c.colour || max(c.box.Dx(), c.box.Dy()) > finerSide {
			continue
		}
		var db image.Rectangle
		db, dil = dilate(dil, c.mask, c.box, w, h)
		m, ok := finerMask(pix, w, h, c, db, dil)
		if !ok {
			continue
		}
		mo, ok := measure(m)
		if !ok {
			continue
		}
		if !fresh(seen, finerBox(m, db)) {
			continue
		}
		f := &candidate{box: c.box, mo: c.mo, view: newShapeView(rasterize(m, mo, 0)), mask: c.mask, src: c.src, finer: true}
		f.rad = radialOf(&f.view)
		f.rings = ringCountsOf(&f.view)
		if c.aligned != nil {
			v := newShapeView(rasterizeAligned(m, mo, false))
			f.aligned = &v
		}
		cands = append(cands, f)
	}
	return cands
}

// finerBox is the box of m's ink in finer pixels of the working raster
// (db's origin scaled by finerScale).
func finerBox(m maskSource, db image.Rectangle) image.Rectangle {
	b := image.Rectangle{Min: image.Pt(m.w, m.h)}
	for y := range m.h {
		for x, v := range m.pix[y*m.w : (y+1)*m.w] {
			if v != 0 {
				b.Min.X, b.Min.Y = min(b.Min.X, x), min(b.Min.Y, y)
				b.Max.X, b.Max.Y = max(b.Max.X, x+1), max(b.Max.Y, y+1)
			}
		}
	}
	return b.Add(db.Min.Mul(finerScale))
}

// finerMask cuts c finer: the pixels of pix over db (c's box grown by a
// pixel, dil its grown mask) upsampled finerScale times bilinearly, on
// where the grey lies on the mark's side of the halfway grey and the
// nearest source pixel is in dil. It is false when the region's contrast
// with its surround is under finerMinContrast.
func finerMask(pix []uint8, w, h int, c *candidate, db image.Rectangle, dil []uint8) (maskSource, bool) {
	// Mean grey of the mask, and of the grown box's pixels off the grown
	// mask, grown once more so that the surround is not empty.
	var in, inN, outS, outN float64
	bw := c.box.Dx()
	for y := c.box.Min.Y; y < c.box.Max.Y; y++ {
		for x := c.box.Min.X; x < c.box.Max.X; x++ {
			if c.mask[(y-c.box.Min.Y)*bw+x-c.box.Min.X] != 0 {
				in += float64(pix[y*w+x])
				inN++
			}
		}
	}
	sb := db.Inset(-1).Intersect(image.Rect(0, 0, w, h))
	dw := db.Dx()
	for y := sb.Min.Y; y < sb.Max.Y; y++ {
		for x := sb.Min.X; x < sb.Max.X; x++ {
			if image.Pt(x, y).In(db) && dil[(y-db.Min.Y)*dw+x-db.Min.X] != 0 {
				continue
			}
			outS += float64(pix[y*w+x])
			outN++
		}
	}
	if inN == 0 || outN == 0 {
		return maskSource{}, false
	}
	mIn, mOut := in/inN, outS/outN
	if math.Abs(mIn-mOut) < finerMinContrast {
		return maskSource{}, false
	}
	cut := (mIn + mOut) / 2
	bright := mIn > mOut
	fw, fh := db.Dx()*finerScale, db.Dy()*finerScale
	m := maskSource{w: fw, h: fh, pix: make([]uint8, fw*fh)}
	at := func(x, y int) float64 {
		x, y = min(w-1, max(0, x)), min(h-1, max(0, y))
		return float64(pix[y*w+x])
	}
	for Y := range fh {
		sy := float64(db.Min.Y) + (float64(Y)+0.5)/finerScale - 0.5
		y0 := int(math.Floor(sy))
		ty := sy - float64(y0)
		ny := min(db.Dy()-1, (Y / finerScale))
		for X := range fw {
			if dil[ny*dw+min(dw-1, X/finerScale)] == 0 {
				continue
			}
			sx := float64(db.Min.X) + (float64(X)+0.5)/finerScale - 0.5
			x0 := int(math.Floor(sx))
			tx := sx - float64(x0)
			v := (1-ty)*((1-tx)*at(x0, y0)+tx*at(x0+1, y0)) + ty*((1-tx)*at(x0, y0+1)+tx*at(x0+1, y0+1))
			if (v >= cut) == bright {
				m.pix[Y*fw+X] = 1
			}
		}
	}
	return m, true
}
