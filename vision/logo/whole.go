package logo

import (
	"image"
	"slices"
)

// wholeCandidate returns the picture's ink as one region when it spans the
// picture and touches its edge, as in a picture that is the mark itself: a
// brand's logo file reposted as a listing photo, or a tight crop of a label.
// The ladder takes such a region for the photo's background or frame and
// leaves it out (see [Config.acceptBox]). The ink is the Otsu side the
// border is not mostly on, as for a reference ([inkMask]). It returns nil
// when the ink is not frame-like or fails the size and fill limits of every
// region ([Config.regionSized]).
func wholeCandidate(g grayImage, cfg Config) *candidate {
	t, bgDark := inkSide(g.pix, g.w, g.h)
	ink := func(v uint8) bool { return (int(v) <= t) != bgDark }
	// The box from each row's first and last ink, each found from its own
	// end of the row, then the area only for a frame-like box: what a
	// count of every pixel gives, reading less.
	x0, y0, x1, y1 := g.w, g.h, -1, -1
	for y := range g.h {
		row := g.pix[y*g.w : (y+1)*g.w]
		lo := slices.IndexFunc(row, ink)
		if lo < 0 {
			continue
		}
		hi := lo
		for x := len(row) - 1; x > lo; x-- {
			if ink(row[x]) {
				hi = x
				break
			}
		}
		x0, x1 = min(x0, lo), max(x1, hi)
		y0, y1 = min(y0, y), y
	}
	if y1 < 0 {
		return nil
	}
	box := image.Rect(x0, y0, x1+1, y1+1)
	if !frameLike(box, g.w, g.h) {
		return nil
	}
	pix := make([]uint8, box.Dx()*box.Dy())
	area, i := 0, 0
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for _, v := range g.pix[y*g.w+box.Min.X : y*g.w+box.Max.X] {
			if ink(v) {
				pix[i] = 1
				area++
			}
			i++
		}
	}
	if !cfg.regionSized(box, area) {
		return nil
	}
	out := addCandidate(nil, pix, box, cfg)
	if len(out) == 0 {
		return nil
	}
	return out[0]
}

// frameLike reports whether box, in a w x h picture, spans nine tenths of
// it in either direction and touches its edge: the photo's background or
// frame for the ladder, the mark itself in a picture that shows only a mark.
func frameLike(b image.Rectangle, w, h int) bool {
	return (b.Dx() > w*9/10 || b.Dy() > h*9/10) && (b.Min.X == 0 || b.Min.Y == 0 || b.Max.X == w || b.Max.Y == h)
}
