//go:build cgo

package ocr

import (
	"bytes"
	"image"
	"slices"

	"gocv.io/x/gocv"
)

// region is a candidate text line in search pixels.
type region struct {
	r     image.Rectangle
	score float64 // letter-like area, to keep the most text-like first
	// light is the part of score whose letters are lighter than their
	// background (white on a dark banner).
	light float64
}

// findLines returns the text lines of g (a grey image at search scale),
// largest first. It looks at three scales so that banner-size letters,
// whose strokes are wider than the closing kernel, are found too, and
// for rows of letters at half scale ([findLetterLines]).
func findLines(g gocv.Mat, minH, maxRegions int) []region {
	// g, then each level half the size of the one before
	pyr := []gocv.Mat{g}
	defer func() {
		for _, m := range pyr[1:] {
			m.Close()
		}
	}()
	// the half size as OpenCV's area resize makes it at any size; the
	// quarter size from whole 2×2 blocks of it ([halve]). Halving the
	// full size by whole blocks too saved as much again, but the letter
	// route, which reads the half size, then chained a texture onto a
	// banner's "FAKE" (seed 3, starry_night.jpg) and lost it.
	half := gocv.NewMat()
	gocv.Resize(g, &half, image.Pt(max(1, g.Cols()/2), max(1, g.Rows()/2)), 0, 0, gocv.InterpolationArea)
	pyr = append(pyr, half, halve(half))
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	var all []region
	var full grey // g's pixels, which the letter tests read
	for i, src := range pyr {
		if min(src.Cols(), src.Rows()) < 48 {
			break
		}
		gs := greyOf(src)
		if i == 0 {
			full = gs
		}
		fx, fy := float64(g.Cols())/float64(src.Cols()), float64(g.Rows())/float64(src.Rows())
		for _, rg := range findWords(sc, src, gs, minH) {
			rg.r = image.Rect(int(float64(rg.r.Min.X)*fx), int(float64(rg.r.Min.Y)*fy),
				int(float64(rg.r.Max.X)*fx+0.5), int(float64(rg.r.Max.Y)*fy+0.5))
			rg.score *= fx * fy
			rg.light *= fx * fy
			all = append(all, rg)
		}
		minH = max(8, minH) // smaller scales look for larger text only
	}
	if full.pix == nil {
		full = greyOf(g)
	}
	all = append(all, findLetterLines(sc, full, pyr[1], minH)...)
	lines := mergeLines(all, g.Cols(), g.Rows())
	slices.SortFunc(lines, func(a, b region) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	if len(lines) > maxRegions {
		lines = lines[:maxRegions]
	}
	return lines
}

// halve returns m at half its size, each pixel the mean of a 2×2 block;
// an odd last row or column is left out. OpenCV's area resize averages
// whole 2×2 blocks with vectorised code only when the size is exactly
// twice the result's; otherwise (500×333 to 250×166) it takes its general
// path, which weighs fractions of pixels one at a time: 1.2 ms against
// 0.04 ms for 500×333 on one core, and 4.9 M instructions a call on
// average over the photos without text (callgrind).
func halve(m gocv.Mat) gocv.Mat {
	w, h := m.Cols()/2, m.Rows()/2
	small := gocv.NewMat()
	if w == 0 || h == 0 {
		gocv.Resize(m, &small, image.Pt(max(1, w), max(1, h)), 0, 0, gocv.InterpolationArea)
		return small
	}
	even := m.Region(image.Rect(0, 0, 2*w, 2*h))
	defer even.Close()
	gocv.Resize(even, &small, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
	return small
}

// minFill is the least share of a word box that the closed edges cover.
const minFill = 0.25

// lineLen is the shortest straight edge, in search pixels, taken for a
// line rather than a letter stroke.
const lineLen = 25

// findWords finds word-like blobs at one scale (src, whose pixels gs
// holds): strong gradients, closed horizontally into words, kept when the
// box is filled like text and holds a row of letter-sized components.
func findWords(sc *scratch, src gocv.Mat, gs grey, minH int) []region {
	closed := closedEdges(src)
	defer closed.Close()
	var out []region
	maxH := src.Rows() / 3
	cpix, cw := matBytes(closed), closed.Cols()
	for _, r := range sc.contourBoxes(cpix, cw, closed.Rows()) {
		if r.Dy() < minH || r.Dy() > maxH || r.Dx() < r.Dy() || r.Dx() < 12 {
			continue
		}
		on := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			on += r.Dx() - bytes.Count(cpix[y*cw+r.Min.X:y*cw+r.Max.X], []byte{0})
		}
		if fill := float64(on) / float64(r.Dx()*r.Dy()); fill < minFill {
			continue
		}
		if s, light, lr := letterScore(sc, gs, r); s > 0 {
			// the letters' own box: the contour may have taken in an
			// edge of the photo next to the text
			rg := region{r: lr, score: s}
			if light {
				rg.light = s
			}
			out = append(out, rg)
		}
	}
	return out
}

// closedEdges is the search's edge map of src: strong gradients without
// long straight edges, closed horizontally so that the letters of a word
// join into one blob (0 or 255).
func closedEdges(src gocv.Mat) gocv.Mat {
	grad := gocv.NewMat()
	defer grad.Close()
	k3 := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(3, 3))
	defer k3.Close()
	gocv.MorphologyEx(src, &grad, gocv.MorphGradient, k3)

	bw := gocv.NewMat()
	defer bw.Close()
	if t := gocv.Threshold(grad, &bw, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu); t < 40 {
		// a flat photo: Otsu would split its noise; text edges are strong
		gocv.Threshold(grad, &bw, 40, 255, gocv.ThresholdBinary)
	}
	// Drop long straight edges (a banner's outline, shelves, frames) so
	// that the closing below does not weld letters to them.
	// (in place: bw, made by Threshold, is continuous)
	pix, err := bw.DataPtrUint8()
	if err != nil {
		return gocv.NewMat() // an empty map: no blobs
	}
	dropLongRuns(pix, bw.Cols(), bw.Rows(), lineLen)
	closed := gocv.NewMat()
	kw := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(9, 1))
	defer kw.Close()
	gocv.MorphologyEx(bw, &closed, gocv.MorphClose, kw)
	return closed
}

// minSeparability is the least share of a text box's grey variance that
// Otsu's two classes explain: letters and their background are two tones,
// textures and photo edges are many.
const minSeparability = 0.72

// letterScore binarises the box both ways round and counts components
// shaped like letters: most of the line's height, not too wide, sitting on
// a common baseline, making up most of the ink. It returns their total
// area and whether they are lighter than the background, or 0 when the
// box does not read as a row of at least two letters on a plain ground.
func letterScore(sc *scratch, src grey, r image.Rectangle) (float64, bool, image.Rectangle) {
	pad := max(2, r.Dy()/4)
	pr := r.Inset(-pad).Intersect(src.bounds())
	hist := src.histogram(pr)
	if separability(hist) < minSeparability {
		return 0, false, image.Rectangle{}
	}
	// the box binarised at Otsu's threshold: its light and its dark pixels
	above, below := sc.splitRuns(src, pr, otsu(hist))
	cs, _ := sc.label(above, true)
	light, lr := rowOfLetters(cs, pr.Dx(), pr.Dy(), r.Dy(), r.Dx())
	cs, _ = sc.label(below, true)
	dark, dr := rowOfLetters(cs, pr.Dx(), pr.Dy(), r.Dy(), r.Dx())
	if light > dark {
		return light, true, lr.Add(pr.Min)
	}
	return dark, false, dr.Add(pr.Min)
}

// separability is Otsu's criterion for the grey levels counted in hist:
// between-class variance over total variance at the best threshold, in
// [0, 1].
func separability(hist [256]float64) float64 {
	// the levels that occur: an empty level adds exactly nothing to any
	// sum below and leaves the best split as it was, so skipping it gives
	// the same figure; a letter box's crop holds a fraction of the 256
	var lv [256]uint8
	k := 0
	for i, c := range hist {
		if c != 0 {
			lv[k] = uint8(i)
			k++
		}
	}
	levels := lv[:k]
	n := 0.0
	for _, i := range levels {
		n += hist[i]
	}
	if n == 0 {
		return 0
	}
	mean := 0.0
	for _, i := range levels {
		mean += float64(i) * hist[i]
	}
	mean /= n
	total := 0.0
	for _, i := range levels {
		d := float64(i) - mean
		total += d * d * hist[i]
	}
	total /= n
	if total < 1 {
		return 0
	}
	best, w0, sum0 := 0.0, 0.0, 0.0
	for _, i := range levels {
		c := hist[i]
		w0 += c / n
		sum0 += float64(i) * c / n
		if w0 <= 0 || w0 >= 1 {
			continue
		}
		m0 := sum0 / w0
		m1 := (mean - sum0) / (1 - w0)
		best = max(best, w0*(1-w0)*(m0-m1)*(m0-m1))
	}
	return best / total
}

// rowOfLetters scores the components cs of a W×H crop around a box h
// high and w wide (see [letterScore]).
func rowOfLetters(cs []component, W, H, h, w int) (float64, image.Rectangle) {
	var bottoms []int
	var box image.Rectangle
	area, width, ink := 0, 0, 0
	for _, c := range cs {
		if c.touches(W, H) {
			continue // the ground around the letters, or something cut off
		}
		ink += c.area
		if c.h < h*3/10 || c.h > h*11/10 || c.w > c.h*4 || c.area*100 < c.w*c.h*12 {
			continue
		}
		bottoms = append(bottoms, c.y+c.h)
		box = box.Union(c.rect())
		area += c.area
		width += c.w
	}
	if len(bottoms) < 2 || width*10 < w*3 || area*10 < ink*7 {
		return 0, image.Rectangle{}
	}
	// most letters share a baseline (descenders aside)
	slices.Sort(bottoms)
	med := bottoms[len(bottoms)/2]
	on := 0
	for _, b := range bottoms {
		if d := b - med; d >= -h/5 && d <= h/5 {
			on++
		}
	}
	if on*10 < len(bottoms)*6 {
		return 0, image.Rectangle{}
	}
	return float64(area), box
}

// mergeLines joins overlapping boxes and words on one line into lines.
func mergeLines(rs []region, w, h int) []region {
	out := slices.Clone(rs)
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(out) && !merged; i++ {
			for j := i + 1; j < len(out); j++ {
				if sameLine(out[i].r, out[j].r) {
					out[i].r = out[i].r.Union(out[j].r)
					out[i].score += out[j].score
					out = slices.Delete(out, j, j+1)
					merged = true
					break
				}
			}
		}
	}
	bounds := image.Rect(0, 0, w, h)
	for i := range out {
		out[i].r = out[i].r.Intersect(bounds)
	}
	return out
}

// sameLine reports whether a and b overlap or are words of one line.
func sameLine(a, b image.Rectangle) bool {
	ha, hb := a.Dy(), b.Dy()
	ov := min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y)
	if a.Overlaps(b) && ov*2 >= min(ha, hb) && max(ha, hb) <= 2*min(ha, hb) {
		// same line, or a box found again at another scale; a box of
		// another height over it is something else (a textured patch
		// beside a banner) and is read on its own
		return true
	}
	if ov*10 < min(ha, hb)*6 || max(ha, hb) > 2*min(ha, hb) {
		return false
	}
	gap := max(a.Min.X, b.Min.X) - min(a.Max.X, b.Max.X)
	return gap <= max(ha, hb)*3/2
}
