//go:build cgo

package ocr

import (
	"image"
	"math"
	"slices"

	"gocv.io/x/gocv"
)

// The row check runs on a grown line just before tesseract is called on
// it: the region search lets through textures (a butterfly's spots, fur,
// fruit skin) whose blobs sit in a row, and tesseract reads each of them
// once or twice for nothing. Letters differ from such blobs in their
// strokes: thin beside their height, and of one width along a line.
// The thresholds lie beyond the extremes of the text lines of
// BenchmarkOCR's dev set (letter fill up to 0.72, stroke up to 0.30 of the
// height); they stop 26 of the 49 lines found on its 21 photos without
// text (of the 23 let through, 10 are real print on board.jpg and
// messi5.jpg). A line that holds no row of letters of its own height is
// judged by its seed, the box the search found before growing
// ([lineRow]): a line grown much taller than its letters (two of them on
// dev) has none.
const (
	// minRowLetters is the fewest letters a line holds, a component
	// wider than its height counting for the letters it may join
	// (serifs and blur join "AKE" into one).
	minRowLetters = 2
	// maxLetterFill is the highest mean share of its box a letter fills:
	// solid blobs fill more.
	maxLetterFill = 0.78
	// maxStroke is the highest median stroke width, over the line's
	// height.
	maxStroke = 0.36
	// maxStrokeSpread is the highest coefficient of variation of the
	// letters' stroke widths.
	maxStrokeSpread = 0.35
	// minLetterShare is the lowest share of a line's ink components (of
	// 4 pixels or more, inside its box) that are of a letter's size. A
	// row of texture holds a few letter-sized blobs among many specks
	// (butterfly.jpg's wing: 0.02-0.03, and so do most texture rows
	// around the banners of the dev set and seeds 2-5); the 794 banner
	// lines there hold at least 0.09, most over 0.3. Such a row costs
	// tesseract most where it hurts: it finds small blobs in it, and
	// scales the row up by their height to its network's input.
	minLetterShare = 0.06
	// minTrimLetters is the fewest letters of a line whose stroke spread
	// may leave out its one stroke farthest from the median: a long row
	// of letters with one thing of another stroke in it (a blob of the
	// photo the line grew into, a "+" or a bracket) is still text, while
	// the texture rows that pass every other check hold 4 to 9 letters.
	minTrimLetters = 10
)

// rowStats are the measures of a line's letters the row check reads.
type rowStats struct {
	letters int     // letters, a wide component counting for those it may join
	fill    float64 // the letters' ink over their boxes
	stroke  float64 // median stroke width over the line's height
	spread  float64 // coefficient of variation of the stroke widths
	// trimSpread is spread without the stroke farthest from the median
	trimSpread float64
	// inkShare is the letters' ink over the ink of every component
	// inside the box (studied, not read), compShare their count over
	// those of 4 pixels or more
	inkShare, compShare float64
}

// textRow reports whether line r of g, whose letters are lighter than
// their ground when light is set, looks like a row of letters.
func textRow(g gocv.Mat, r image.Rectangle, light bool) bool {
	st, _, ok := measureRow(g, r, light)
	return ok && st.passes()
}

// passes reports whether a line's measures are a row of letters'.
func (st rowStats) passes() bool {
	even := st.spread <= maxStrokeSpread || st.letters >= minTrimLetters && st.trimSpread <= maxStrokeSpread
	return st.letters >= minRowLetters && st.fill <= maxLetterFill &&
		st.stroke <= maxStroke && even && st.compShare >= minLetterShare
}

// lineRow reports whether the grown line r of g is worth reading: it is
// a row of letters ([textRow]), or it holds fewer than two letters of its
// own height (it grew much taller than its letters) and its seed is one.
// A line that holds letters of its height that fail the check is not
// judged by its seed: on dev and seeds 2-5 no banner line passed that
// way, and five texture rows of the photos without text did (fruit skin,
// fur, wing spots, brush strokes), about 26 ms of tesseract's time on
// the 19 photos.
func lineRow(g gocv.Mat, r, seed image.Rectangle, light bool) bool {
	st, _, ok := measureRow(g, r, light)
	if ok && st.passes() {
		return true
	}
	if ok && st.letters >= minRowLetters {
		return false
	}
	return textRow(g, seed, light)
}

// measureRow binarises line r of g with Otsu, takes the components of its
// ink of a letter's size and measures each one's stroke width as twice its
// area over its outline. It also returns those components, in the
// binarised box's pixels, and false when r is too small or holds no
// letter-sized component.
func measureRow(g gocv.Mat, r image.Rectangle, light bool) (rowStats, []component, bool) {
	H := r.Dy()
	if H < 4 || r.Dx() < 4 {
		return rowStats{}, nil, false
	}
	pr := r.Inset(-max(2, H/4)).Intersect(image.Rect(0, 0, g.Cols(), g.Rows()))
	roi := g.Region(pr)
	defer roi.Close()
	bin := gocv.NewMat()
	defer bin.Close()
	typ := gocv.ThresholdBinaryInv // dark letters become the ink
	if light {
		typ = gocv.ThresholdBinary
	}
	gocv.Threshold(roi, &bin, 0, 255, typ|gocv.ThresholdOtsu)
	lm := gocv.NewMat()
	defer lm.Close()
	cs, labels := components(bin, &lm)
	W, Hb := bin.Cols(), bin.Rows()
	// outline pixels per component: ink with a 4-neighbour that is not
	outline := make([]int, len(cs)+1)
	for i, l := range labels {
		if l == 0 {
			continue
		}
		x, y := i%W, i/W
		if x == 0 || y == 0 || x == W-1 || y == Hb-1 ||
			labels[i-1] == 0 || labels[i+1] == 0 || labels[i-W] == 0 || labels[i+W] == 0 {
			outline[l]++
		}
	}
	var st rowStats
	area, box := 0, 0
	var strokes []float64
	letters := cs[:0] // kept in place: cs[i] is read before it is written
	allInk, allComps := 0, 0
	for i, c := range cs {
		if c.touches(W, Hb) {
			continue
		}
		allInk += c.area
		if c.area >= 4 {
			allComps++
		}
		if c.h*100 < H*25 || c.h*10 > H*11 || c.w > 4*c.h {
			continue
		}
		st.letters += max(1, c.w*10/(c.h*7))
		area += c.area
		box += c.w * c.h
		strokes = append(strokes, 2*float64(c.area)/float64(max(1, outline[i+1]))/float64(H))
		letters = append(letters, c)
	}
	if len(strokes) == 0 {
		return rowStats{}, nil, false
	}
	st.fill = float64(area) / float64(box)
	st.inkShare = float64(area) / float64(allInk)
	st.compShare = float64(len(strokes)) / float64(max(1, allComps))
	slices.Sort(strokes)
	mean, sd := meanSD(strokes)
	st.stroke, st.spread = strokes[len(strokes)/2], sd/mean
	st.trimSpread = trimmedSpread(strokes, st.stroke)
	return st, letters, true
}

// meanSD is the mean and standard deviation of vs.
func meanSD(vs []float64) (mean, sd float64) {
	for _, v := range vs {
		mean += v
	}
	mean /= float64(len(vs))
	for _, v := range vs {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(vs)))
}

// trimmedSpread is the coefficient of variation of the sorted values vs
// without the one farthest from their median med (vs itself when it has
// fewer than three).
func trimmedSpread(vs []float64, med float64) float64 {
	if len(vs) < 3 {
		mean, sd := meanSD(vs)
		return sd / mean
	}
	// sorted: the farthest from the median is the first or the last
	rest := vs[1:]
	if vs[len(vs)-1]-med > med-vs[0] {
		rest = vs[:len(vs)-1]
	}
	mean, sd := meanSD(rest)
	return sd / mean
}
