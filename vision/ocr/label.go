//go:build cgo

package ocr

import (
	"bytes"
	"image"
	"slices"

	"gocv.io/x/gocv"

	"counterlens/vision/internal/runs"
)

// The region search labels many small crops (two polarities of every box
// it tests for letters) and two binary images a photo. OpenCV's labelling
// costs tens of thousands of instructions a call before its first pixel
// (the label and stats matrices, the copies out of them), more than the
// crop itself; the labelling below works on runs of pixels held in Go and
// gives the same components: 8-connected, with the same boxes and areas,
// in the order of their first pixel in raster order.

// grey is an 8-bit grey image held in Go, w×h pixels row after row.
type grey struct {
	pix  []byte
	w, h int
}

// greyOf returns the pixels of m (8-bit, one channel) without copying
// them ([matBytes]): the result is valid while m is open.
func greyOf(m gocv.Mat) grey {
	return grey{pix: matBytes(m), w: m.Cols(), h: m.Rows()}
}

// matBytes returns the pixels of m, row after row: OpenCV's own memory
// when m is continuous (valid while m is open, and writing to it writes
// to m), else a copy. The search reads whole rasters a few times a
// photo; copying each into Go memory cost a megabyte a time and the
// collector's work to free it.
func matBytes(m gocv.Mat) []byte {
	if pix, err := m.DataPtrUint8(); err == nil {
		return pix
	}
	return m.ToBytes()
}

func (g grey) bounds() image.Rectangle { return image.Rect(0, 0, g.w, g.h) }

// histogram counts the grey levels of g within r. Neighbouring pixels
// are often of one level, and an increment of a counter waits for the
// one before it of the same counter: four tables, one for each pixel of
// four in a row, let four increments go at once.
func (g grey) histogram(r image.Rectangle) (hist [256]float64) {
	var n0, n1, n2, n3 [256]int32
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := g.pix[y*g.w+r.Min.X : y*g.w+r.Max.X]
		x := 0
		for ; x+4 <= len(row); x += 4 {
			n0[row[x]]++
			n1[row[x+1]]++
			n2[row[x+2]]++
			n3[row[x+3]]++
		}
		for _, p := range row[x:] {
			n0[p]++
		}
	}
	for i := range hist {
		hist[i] = float64(n0[i] + n1[i] + n2[i] + n3[i])
	}
	return hist
}

// otsu is the threshold OpenCV's THRESH_OTSU picks for the grey levels
// counted in hist (the same arithmetic, so the same level): pixels above
// it are one class, those at or under it the other.
func otsu(hist [256]float64) byte {
	total := 0.0
	for _, c := range hist {
		total += c
	}
	if total == 0 {
		return 0
	}
	scale := 1 / total
	mu := 0.0
	for i, c := range hist {
		mu += float64(i) * c
	}
	mu *= scale
	const eps = 1.1920928955078125e-07 // FLT_EPSILON
	mu1, q1, maxSigma, maxVal := 0.0, 0.0, 0.0, 0
	for i, c := range hist {
		p := c * scale
		mu1 *= q1
		q1 += p
		q2 := 1 - q1
		if min(q1, q2) < eps || max(q1, q2) > 1-eps {
			continue
		}
		mu1 = (mu1 + float64(i)*p) / q1
		mu2 := (mu - q1*mu1) / q2
		if sigma := q1 * q2 * (mu1 - mu2) * (mu1 - mu2); sigma > maxSigma {
			maxSigma, maxVal = sigma, i
		}
	}
	return byte(maxVal)
}

// splitRuns returns the runs of the pixels of g within r above t and
// those at or under it, in r's coordinates: the two polarities of a crop
// binarised at t, labelled from one pass over its pixels. The sets are
// sc's and hold until its next splitRuns.
func (sc *scratch) splitRuns(g grey, r image.Rectangle, t byte) (above, below *runs.Set) {
	sc.above.Reset()
	sc.below.Reset()
	runs.Cut(g.pix, g.w, r, t, &sc.above, &sc.below)
	return &sc.above, &sc.below
}

// appendLevelRuns appends to s the runs of the pixels of pix, a w×h
// binary image (0 or 255) row after row, that are at level v.
func appendLevelRuns(s *runs.Set, pix []byte, w, h int, v byte) {
	for y := 0; y < h; y++ {
		s.StartRow()
		row := pix[y*w : (y+1)*w]
		for x := 0; x < w; {
			i := bytes.IndexByte(row[x:], v)
			if i < 0 {
				break
			}
			st := x + i
			e := bytes.IndexByte(row[st:], 255-v)
			if e < 0 {
				e = w
			} else {
				e += st
			}
			s.Runs = append(s.Runs, runs.Run{X0: int32(st), X1: int32(e), Y: int32(y)})
			x = e
		}
	}
	s.StartRow()
}

// label returns the components of the runs of s, 8-connected when conn8
// is set and 4-connected otherwise, in the order of their first pixel (top
// row first, then leftmost), and the column of each one's first pixel.
// Both slices are sc's and hold until its next label.
func (sc *scratch) label(s *runs.Set, conn8 bool) ([]component, []int) {
	n := len(s.Runs)
	f := runs.Forest(slices.Grow(sc.forest[:0], n)[:n])
	f.Reset()
	s.Link(f, conn8)
	out, first := sc.comps[:0], sc.first[:0]
	idx := slices.Grow(sc.idx[:0], n)[:n] // set for each root before its members
	for i, r := range s.Runs {
		root := f.Find(int32(i))
		if root == int32(i) {
			idx[i] = int32(len(out))
			out = append(out, component{int(r.X0), int(r.Y), int(r.X1 - r.X0), 1, int(r.X1 - r.X0)})
			first = append(first, int(r.X0))
			continue
		}
		c := &out[idx[root]]
		x0, x1 := min(c.x, int(r.X0)), max(c.x+c.w, int(r.X1))
		c.x, c.w = x0, x1-x0
		c.h = int(r.Y) + 1 - c.y
		c.area += int(r.X1 - r.X0)
	}
	sc.forest, sc.idx, sc.comps, sc.first = f, idx, out, first
	return out, first
}

// contourBoxes returns the bounding boxes of the contours OpenCV's
// findContours gives for pix, a w×h binary image (0 or 255), with
// RETR_LIST, in the same order, without tracing a border: the outer
// border of each 8-connected component of set pixels has the component's
// box, and the border of each hole (a 4-connected component of unset
// pixels that does not reach the image's edge, which findContours pads
// with unset pixels) runs over the set pixels around it, one pixel
// outside the hole's box. findContours starts a border where its raster
// scan first meets one (a component's first pixel, the pixel left of a
// hole's first pixel) and lists the borders last found first. The result
// is sc's and holds until its next contourBoxes.
func (sc *scratch) contourBoxes(pix []byte, w, h int) []image.Rectangle {
	bs := sc.borders[:0]
	sc.set.Reset()
	appendLevelRuns(&sc.set, pix, w, h, 255)
	cs, first := sc.label(&sc.set, true)
	for i, c := range cs {
		bs = append(bs, border{c.rect(), c.y, first[i]})
	}
	sc.set.Reset()
	appendLevelRuns(&sc.set, pix, w, h, 0)
	cs, first = sc.label(&sc.set, false)
	for i, c := range cs {
		if !c.touches(w, h) {
			bs = append(bs, border{c.rect().Inset(-1), c.y, first[i] - 1})
		}
	}
	slices.SortFunc(bs, func(a, b border) int {
		if a.y != b.y {
			return b.y - a.y
		}
		return b.x - a.x
	})
	out := sc.boxes[:0]
	for _, b := range bs {
		out = append(out, b.r)
	}
	sc.borders, sc.boxes = bs, out
	return out
}
