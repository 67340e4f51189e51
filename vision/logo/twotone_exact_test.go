package logo

import (
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// plainTwoTone is twoTone as first written: each pixel's side found twice,
// for the stray count and again for the mask.
func plainTwoTone(buf []uint8, c rgbImage, pix []uint8, box image.Rectangle) (image.Rectangle, []uint8, bool) {
	var m, b [3]float64
	var nm, nb float64
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
	outer := box.Inset(-margin).Intersect(image.Rect(0, 0, c.w, c.h))
	for y := outer.Min.Y; y < outer.Max.Y; y++ {
		for x := outer.Min.X; x < outer.Max.X; x++ {
			if (image.Point{x, y}).In(box) {
				continue
			}
			i := 3 * (y*c.w + x)
			b[0], b[1], b[2] = b[0]+float64(c.pix[i]), b[1]+float64(c.pix[i+1]), b[2]+float64(c.pix[i+2])
			nb++
		}
	}
	if nm == 0 || nb < float64(margin*(box.Dx()+box.Dy())) {
		return box, buf, false // the box is against the picture's edge
	}
	var d [3]float64
	var dd, l1 float64
	for k := range 3 {
		m[k] /= nm
		b[k] /= nb
		d[k] = m[k] - b[k]
		dd += d[k] * d[k]
		l1 += math.Abs(d[k])
	}
	if l1 < minTwoToneContrast {
		return box, buf, false
	}
	on := func(x, y int) bool {
		i := 3 * (y*c.w + x)
		t := ((float64(c.pix[i])-b[0])*d[0] + (float64(c.pix[i+1])-b[1])*d[1] + (float64(c.pix[i+2])-b[2])*d[2]) / dd
		return t > 0.5
	}
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
