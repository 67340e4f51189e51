package logo

import (
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// plainTwoTone is twoTone as first written, after the same fitTones: each
// pixel's side found twice, for the stray count and again for the mask.
func plainTwoTone(buf []uint8, c rgbImage, pix []uint8, box image.Rectangle) (image.Rectangle, []uint8, bool) {
	f, ok := fitTones(c, pix, box)
	if !ok {
		return box, buf, false
	}
	outer, nb := f.outer, f.nb
	on := func(x, y int) bool { return f.on(c, x, y) }
	// A plain surround: hardly any margin pixel takes the mark's side.
	stray := 0
	x0, y0, x1, y1 := outer.Max.X, outer.Max.Y, outer.Min.X-1, outer.Min.Y-1
	for y := outer.Min.Y; y < outer.Max.Y; y++ {
		for x := outer.Min.X; x < outer.Max.X; x++ {
			if !on(x, y) {
				continue
			}
			if !(image.Point{x, y}).In(box.Inset(-1)) {
				stray++
			}
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
		}
	}
	if float64(stray) > 0.02*nb || x1 < x0 {
		return box, buf, false
	}
	r := image.Rect(x0, y0, x1+1, y1+1)
	n := r.Dx() * r.Dy()
	if cap(buf) < n {
		buf = make([]uint8, n)
	}
	buf = buf[:n]
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			v := uint8(0)
			if on(x, y) {
				v = 1
			}
			buf[(y-r.Min.Y)*r.Dx()+x-r.Min.X] = v
		}
	}
	return r, buf, true
}

// TestTwoToneMatchesDefinition wants twoTone's box, mask and verdict to be
// the definition's on zones of random two-colour pictures: a blob of one
// colour on another, with noise, against and away from the picture's edge,
// with strays in the margin, reusing one buffer as colourCandidates does.
func TestTwoToneMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var buf []uint8
	cuts := 0
	for k := range 400 {
		w, h := 20+rng.IntN(60), 20+rng.IntN(60)
		c := rgbImage{w: w, h: h, pix: make([]uint8, 3*w*h)}
		fg, bg := [3]int{rng.IntN(256), rng.IntN(256), rng.IntN(256)}, [3]int{rng.IntN(256), rng.IntN(256), rng.IntN(256)}
		cx, cy, r := rng.IntN(w), rng.IntN(h), 3+rng.IntN(15)
		noise := 1 + rng.IntN(40)
		for y := range h {
			for x := range w {
				col := bg
				if math.Hypot(float64(x-cx), float64(y-cy)) < float64(r) || rng.IntN(200) == 0 {
					col = fg
				}
				for ch := range 3 {
					c.pix[3*(y*w+x)+ch] = uint8(min(255, max(0, col[ch]+rng.IntN(noise)-noise/2)))
				}
			}
		}
		box := image.Rect(cx-r, cy-r, cx+r, cy+r).Intersect(image.Rect(0, 0, w, h))
		if box.Empty() {
			continue
		}
		pix := make([]uint8, box.Dx()*box.Dy())
		for y := box.Min.Y; y < box.Max.Y; y++ {
			for x := box.Min.X; x < box.Max.X; x++ {
				if math.Hypot(float64(x-cx), float64(y-cy)) < float64(r)-1 {
					pix[(y-box.Min.Y)*box.Dx()+x-box.Min.X] = 1
				}
			}
		}
		wantBox, wantMask, wantOK := plainTwoTone(nil, c, pix, box)
		var gotBox image.Rectangle
		var ok bool
		gotBox, buf, ok = twoTone(buf, c, pix, box)
		if ok != wantOK || (ok && (gotBox != wantBox || !slices.Equal(buf, wantMask))) {
			t.Fatalf("picture %d: box %v %v, definition %v %v (or the masks differ)", k, gotBox, ok, wantBox, wantOK)
		}
		if ok {
			cuts++
		}
	}
	if cuts < 50 {
		t.Fatalf("only %d of the pictures were cut: the test checks too few masks", cuts)
	}
	t.Logf("%d cuts", cuts)
}
