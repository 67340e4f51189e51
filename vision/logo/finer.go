package logo

import (
	"image"
	"math"
)

// This file holds the finer cut of small regions, used to confirm a match.
// The grey ladder cuts a photo at fixed levels 24 apart, so a small mark of
// low contrast is cut wherever a level happens to fall between its grey and
// its background's: near the background's grey its strokes thicken and
// merge, near its own they thin and break. At 40 px, where a stroke is one
// or two pixels, that decides the shape. The references' small renderings
// (small.go) are cut at half coverage, halfway between mark and background.
// A small grey region is therefore cut again as those are: its grey pixels,
// upsampled twice bilinearly, at the grey halfway between the mark's mean
// and its surround's, kept within a pixel of the ladder's mask.
//
// As a region of its own that cut is a second draw for every reference on
// every small region, and texture won it (session 6: three false alarms at
// 1,000 references). Here it only confirms: a region whose ladder cut
// already ranks a reference best (or within finerRankMargin of best) is
// compared with that reference on its finer cut too, and the better fit
// counts; the other brands are compared with the finer cut as well, so the
// margin and crowd rules weigh like with like. A region no reference ranks
// gets no second draw, and neither does a reference the finer cut prefers
// but the ladder's cut did not rank.

// finerSide is the longest side, in working pixels, of a region cut finer:
// the size up to which strokes are a pixel or two (SmallSide's range).
const finerSide = 72

// finerScale is the upsampling of the finer cut.
const finerScale = 2

// finerMinContrast is the least difference between a region's mean grey
// and its surround's for a finer cut: under it the halfway grey is noise.
const finerMinContrast = 12

// finerReach is how far under its midpoint a ladder match may score and
// still be confirmed on its finer cut: about the most the finer cut lifted
// a small mark in TestFinerCutsRecoverSmallMarks (0.19).
const finerReach = 0.2

// finerRankMargin is how far under the ladder's best score the ladder
// score of the finer cut's best reference may lie for the finer cut to
// count: within it the ladder's ranking is noise of the cut.
const finerRankMargin = 0.02

// confirmFiner returns ms with each small grey region's match confirmed on
// its finer cut (see the file comment): when the finer cut's best
// reference is the ladder's best's brand, or one the ladder scored within
// finerRankMargin of its best, and it fits the finer cut better, the match
// takes that reference, the finer cut (as its region) and score, and the
// best other brand's score on either cut as its second. g is the working
// grey raster the ladder cut the regions from.
func confirmFiner(ms []shapeMatch, g grayImage, refs []*prepared, cfg Config) []shapeMatch {
	var dil []uint8
	for i := range ms {
		m := &ms[i]
		c := m.cand
		L := max(c.box.Dx(), c.box.Dy())
		// Out of reach: even finerReach more would leave it under its
		// midpoint (no runner-up: the margin factor is 1).
		if c.colour || c.src != c.box || L > finerSide || cfg.shapeConfidence(m.score+finerReach, 0, m.ref.nullMax, L) < 0.5 {
			continue
		}
		var f *candidate
		f, dil = finerCandidate(g, c, dil)
		if f == nil {
			continue
		}
		fm := matchShapes([]*candidate{f}, refs, cfg)
		if len(fm) == 0 || fm[0].score <= m.score {
			continue
		}
		best := fm[0]
		second := math.Max(best.second, m.second)
		if best.ref.brandID != m.ref.brandID {
			// The ladder scored best.ref under m.ref: it counts only
			// within finerRankMargin, and m.ref is then a runner-up.
			if scoreRef(c, best.ref, cfg, 0) < m.score-finerRankMargin {
				continue
			}
			second = math.Max(best.second, m.score)
		}
		*m = shapeMatch{cand: f, ref: best.ref, score: best.score, second: second}
	}
	return ms
}

// finerCandidate returns c (a grey ladder region of g) cut finer, or nil
// when its contrast is too low or the cut too small to measure. The finer
// candidate keeps c's box, mask and moments, so the gates, verification
// and size rules see it as c; only its views are of the finer cut. dil is
// scratch, returned for reuse.
func finerCandidate(g grayImage, c *candidate, dil []uint8) (*candidate, []uint8) {
	var db image.Rectangle
	db, dil = dilate(dil, c.mask, c.box, g.w, g.h)
	m, ok := finerMask(g, c, db, dil)
	if !ok {
		return nil, dil
	}
	mo, ok := measure(m)
	if !ok {
		return nil, dil
	}
	f := &candidate{box: c.box, mo: c.mo, view: newShapeView(rasterize(m, mo, 0)), mask: c.mask, src: c.src}
	f.rad = radialOf(&f.view)
	f.rings = ringCountsOf(&f.view)
	if c.mo.ecc < anisoCandEcc {
		v := newShapeView(rasterizeAligned(m, mo, false))
		f.aligned = &v
	}
	return f, dil
}

// blurredPatch is g over r smoothed by the 3x3 Gaussian the ladder cuts
// (sceneCandidates), borders reflected as there.
type blurredPatch struct {
	r   image.Rectangle
	pix []float64
}

func newBlurredPatch(g grayImage, r image.Rectangle) blurredPatch {
	refl := func(v, n int) int {
		if v < 0 {
			v = -v
		}
		if v >= n {
			v = 2*n - 2 - v
		}
		return min(n-1, max(0, v))
	}
	k := [3]float64{0.25, 0.5, 0.25}
	p := blurredPatch{r: r, pix: make([]float64, r.Dx()*r.Dy())}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			s := 0.0
			for dy := -1; dy <= 1; dy++ {
				row := refl(y+dy, g.h) * g.w
				for dx := -1; dx <= 1; dx++ {
					s += k[dy+1] * k[dx+1] * float64(g.pix[row+refl(x+dx, g.w)])
				}
			}
			p.pix[(y-r.Min.Y)*r.Dx()+x-r.Min.X] = s
		}
	}
	return p
}

// at is the smoothed grey at (x, y), clamped to the patch.
func (p blurredPatch) at(x, y int) float64 {
	x, y = min(p.r.Max.X-1, max(p.r.Min.X, x)), min(p.r.Max.Y-1, max(p.r.Min.Y, y))
	return p.pix[(y-p.r.Min.Y)*p.r.Dx()+x-p.r.Min.X]
}

// finerMask cuts c finer: the smoothed pixels of g over db (c's box grown
// by a pixel, dil its grown mask) upsampled finerScale times bilinearly,
// on where the grey lies on the mark's side of the halfway grey and the
// nearest source pixel is in dil. It is false when the region's contrast
// with its surround is under finerMinContrast.
func finerMask(g grayImage, c *candidate, db image.Rectangle, dil []uint8) (maskSource, bool) {
	sb := db.Inset(-1).Intersect(image.Rect(0, 0, g.w, g.h))
	p := newBlurredPatch(g, sb)
	// Mean grey of the mask, and of the grown box's pixels off the grown
	// mask, grown once more so that the surround is not empty.
	var in, inN, outS, outN float64
	bw, dw := c.box.Dx(), db.Dx()
	for y := sb.Min.Y; y < sb.Max.Y; y++ {
		for x := sb.Min.X; x < sb.Max.X; x++ {
			pt := image.Pt(x, y)
			switch {
			case pt.In(c.box) && c.mask[(y-c.box.Min.Y)*bw+x-c.box.Min.X] != 0:
				in += p.at(x, y)
				inN++
			case pt.In(db) && dil[(y-db.Min.Y)*dw+x-db.Min.X] != 0:
			default:
				outS += p.at(x, y)
				outN++
			}
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
	for Y := range fh {
		sy := float64(db.Min.Y) + (float64(Y)+0.5)/finerScale - 0.5
		y0 := int(math.Floor(sy))
		ty := sy - float64(y0)
		ny := min(db.Dy()-1, Y/finerScale)
		for X := range fw {
			if dil[ny*dw+min(dw-1, X/finerScale)] == 0 {
				continue
			}
			sx := float64(db.Min.X) + (float64(X)+0.5)/finerScale - 0.5
			x0 := int(math.Floor(sx))
			tx := sx - float64(x0)
			v := (1-ty)*((1-tx)*p.at(x0, y0)+tx*p.at(x0+1, y0)) + ty*((1-tx)*p.at(x0, y0+1)+tx*p.at(x0+1, y0+1))
			if (v >= cut) == bright {
				m.pix[Y*fw+X] = 1
			}
		}
	}
	return m, true
}
