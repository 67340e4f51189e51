//go:build cgo

package ocr

import (
	"encoding/binary"
	"image"
	"slices"
	"unsafe"

	"gocv.io/x/gocv"
)

// component is a connected component of a binary image: its box and its
// pixel count.
type component struct{ x, y, w, h, area int }

func (c component) rect() image.Rectangle { return image.Rect(c.x, c.y, c.x+c.w, c.y+c.h) }

// touches reports whether c reaches the edge of a w×h image.
func (c component) touches(w, h int) bool {
	return c.x == 0 || c.y == 0 || c.x+c.w == w || c.y+c.h == h
}

// components labels the non-zero pixels of bin (8-connected) and returns
// the components without the background, in label order. When labels is
// not nil it receives the label image, and the labels come back as its
// own memory (valid while labels is open), not a copy: the row check and
// the edge clearing read every pixel's label once, and copying them cost
// as much as reading them.
func components(bin gocv.Mat, labels *gocv.Mat) ([]component, []int32) {
	stats, cents := gocv.NewMat(), gocv.NewMat()
	defer stats.Close()
	defer cents.Close()
	lm := labels
	if lm == nil {
		m := gocv.NewMat()
		defer m.Close()
		lm = &m
	}
	n := gocv.ConnectedComponentsWithStats(bin, lm, &stats, &cents)
	raw := matBytes(stats) // n rows of 5 native-endian int32
	st := func(i int) int { return int(int32(binary.NativeEndian.Uint32(raw[i*4:]))) }
	out := make([]component, 0, max(0, n-1))
	for i := 1; i < n; i++ {
		out = append(out, component{st(i * 5), st(i*5 + 1), st(i*5 + 2), st(i*5 + 3), st(i*5 + 4)})
	}
	if labels == nil {
		return out, nil
	}
	lb := matBytes(*labels) // CV_32S in native order, 4-aligned (OpenCV's allocator, or Go's for a copy)
	if len(lb) < 4 {
		return out, []int32{}
	}
	return out, unsafe.Slice((*int32)(unsafe.Pointer(&lb[0])), len(lb)/4)
}

// growLine returns the whole text line that the seed r (a box of letters
// in g) belongs to: the seed's letters are binarised at the seed's own
// Otsu threshold across the full width of g, and letter-sized components
// on the same band are chained on to the left and right while the gap
// stays under a word space and a half. The box comes back fitted to the
// letters, so that a seed that caught only part of a line ("atsApp +44 …")
// reads whole and one that caught a neighbouring edge reads without it. It
// returns r unchanged when the seed holds no letters at that threshold,
// and whether the letters are lighter than their ground (the margin
// around the seed), which the edge search cannot always tell.
func growLine(g gocv.Mat, r image.Rectangle) (_ image.Rectangle, light bool) {
	bounds := image.Rect(0, 0, g.Cols(), g.Rows())
	h := r.Dy()
	if h < 4 {
		return r, light
	}
	seed := r.Inset(-max(2, h/4)).Intersect(bounds)
	sroi := g.Region(seed)
	crop := sroi.Clone()
	sroi.Close()
	tmp := gocv.NewMat()
	t := gocv.Threshold(crop, &tmp, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu)
	tmp.Close()
	// the margin around the letters is their background
	light = borderMean(crop) < float64(t)
	ground := groundMean(matBytes(crop), t, light)
	crop.Close()

	band := image.Rect(0, r.Min.Y-h/2, g.Cols(), r.Max.Y+h/2).Intersect(bounds)
	broi := g.Region(band)
	defer broi.Close()
	ink := gocv.NewMat()
	defer ink.Close()
	typ := gocv.ThresholdBinaryInv // dark letters: at or under t
	if light {
		typ = gocv.ThresholdBinary
	}
	gocv.Threshold(broi, &ink, t, 255, typ)
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	sc.set.Reset()
	appendLevelRuns(&sc.set, matBytes(ink), ink.Cols(), ink.Rows(), 255)
	cs, _ := sc.label(&sc.set, true)

	// lettersOf returns, left to right, the components of a letter's size
	// for a line h high that lie mostly within rows
	lettersOf := func(h int, rows image.Rectangle) []component {
		var letters []component
		for _, c := range cs {
			if c.y == 0 || c.y+c.h == band.Dy() || c.h*100 < h*35 || c.h*10 > h*14 || c.area*100 < c.w*c.h*12 {
				continue // reaches out of the band, or not a letter's size
			}
			if ov := c.rect().Intersect(rows).Dy(); ov*10 < c.h*6 {
				continue
			}
			letters = append(letters, c)
		}
		slices.SortFunc(letters, func(a, b component) int { return a.x - b.x })
		return letters
	}
	x0, x1 := r.Min.X, r.Max.X
	inSeed := func(letters []component) (box image.Rectangle) {
		for _, c := range letters {
			if cx := c.x + c.w/2; cx >= x0 && cx < x1 {
				box = box.Union(c.rect())
			}
		}
		return box
	}
	letters := lettersOf(h, image.Rect(0, r.Min.Y-band.Min.Y, band.Dx(), r.Max.Y-band.Min.Y))
	box := inSeed(letters)
	if box.Empty() {
		return r, light
	}
	if box.Dy()*10 < h*8 {
		// a seed taller than its letters (it took in a banner's edge)
		// would leave out their short ones ("www.r" of
		// "www.replica-shop.top"): the letters are taken again at the
		// height of those found
		h = box.Dy()
		letters = lettersOf(h, image.Rect(0, box.Min.Y, band.Dx(), box.Max.Y))
		box = box.Union(inSeed(letters))
	}
	// to the right, then to the left, over gaps of the letters' own ground
	// (not where a banner ends); components wider than a few letters
	// outside the seed are photo, not text
	plain := func(x0, x1 int) bool {
		if x1 <= x0 {
			return true
		}
		gap := broi.Region(image.Rect(x0, box.Min.Y, x1, box.Max.Y))
		defer gap.Close()
		m := gap.Mean().Val1
		return m > ground-groundTolerance && m < ground+groundTolerance
	}
	maxGap := h
	// a letter-wide component is up to three letters run together; a
	// short one (no ascender, under 0.7 of the line) up to five: blur
	// runs "www" into one
	narrow := func(c component) bool { return c.w <= 3*c.h || c.w <= 5*c.h && c.h*10 <= h*7 }
	for _, c := range letters {
		if c.x >= box.Max.X && c.x-box.Max.X <= maxGap && narrow(c) && plain(box.Max.X, c.x) {
			box = box.Union(c.rect())
		}
	}
	for i := len(letters) - 1; i >= 0; i-- {
		c := letters[i]
		if e := c.x + c.w; e <= box.Min.X && box.Min.X-e <= maxGap && narrow(c) && plain(e, box.Min.X) {
			box = box.Union(c.rect())
		}
	}
	return box.Add(image.Pt(0, band.Min.Y)), light
}

// groundTolerance is how far, in grey levels, the mean of a gap between
// letters may lie from the mean of their ground.
const groundTolerance = 30

// groundMean is the mean of the pixels of pix on the ground's side of
// threshold t: above it for dark letters, at or below it for light ones.
func groundMean(pix []byte, t float32, light bool) float64 {
	sum, n := 0, 0
	for _, p := range pix {
		if (float32(p) > t) != light {
			sum += int(p)
			n++
		}
	}
	return float64(sum) / float64(max(1, n))
}

// clearEdges whitens the ink (zero pixels) of bin, a dark-on-light line,
// that touches bin's edge: pieces of the photo or of a banner's border
// around the letters, which tesseract would read as characters. bin must
// be continuous (a Threshold's output): its pixels are changed in place.
func clearEdges(bin gocv.Mat) {
	inv := gocv.NewMat()
	defer inv.Close()
	gocv.BitwiseNot(bin, &inv)
	w, h := bin.Cols(), bin.Rows()
	lm := gocv.NewMat()
	defer lm.Close()
	cs, labels := components(inv, &lm)
	drop := make([]bool, len(cs)+1)
	found := false
	for i, c := range cs {
		if c.touches(w, h) {
			drop[i+1] = true
			found = true
		}
	}
	if !found {
		return
	}
	pix, err := bin.DataPtrUint8() // bin's own pixels: bin is continuous
	if err != nil {
		return
	}
	for i, l := range labels {
		if drop[l] {
			pix[i] = 255
		}
	}
}
