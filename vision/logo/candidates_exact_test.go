package logo

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// plainMeasure is measure's sums as first written, in floats a pixel at a
// time: the definition the integer sums must reproduce.
func plainMeasure(m maskSource) (moments, bool) {
	var s momentSums
	for y := range m.h {
		row := m.pix[y*m.w : (y+1)*m.w]
		var rn, rx, rxx float64
		for x, v := range row {
			if v != 0 {
				fx := float64(x)
				rn++
				rx += fx
				rxx += fx * fx
			}
		}
		if rn != 0 {
			s.addRow(y, rn, rx, rxx)
		}
	}
	return s.moments()
}

// plainConcavity is concavity as first written: every row against every
// hull edge, the row's cells set one by one.
func plainConcavity(g *bitgrid) bitgrid {
	var pts [][2]float64
	for y := range gridN {
		if w := g[y]; w != 0 {
			pts = append(pts, [2]float64{float64(trailing(w)), float64(y)}, [2]float64{float64(leading(w)), float64(y)})
		}
	}
	var out bitgrid
	if len(pts) == 0 {
		return out
	}
	hull := convexHull(pts, nil)
	for y := range gridN {
		l, h, ok := hullSpan(hull, y)
		if !ok {
			continue
		}
		var row uint64
		for x := max(l, 0); x <= min(h, gridN-1); x++ {
			row |= 1 << uint(x)
		}
		out[y] = row &^ g[y]
	}
	return out
}

// hullSpan is the definition of a row's span in concavity: the cells l..h (not clamped to the grid) that row y
// covers inside hull, or false when the row misses it.
func hullSpan(hull [][2]float64, y int) (l, h int, ok bool) {
	fy := float64(y)
	lo, hi := math.Inf(1), math.Inf(-1)
	n := len(hull)
	for i := range n {
		a, b := hull[i], hull[(i+1)%n]
		if (a[1] <= fy && fy <= b[1]) || (b[1] <= fy && fy <= a[1]) {
			var x0, x1 float64
			if a[1] == b[1] {
				x0, x1 = a[0], b[0]
			} else {
				t := (fy - a[1]) / (b[1] - a[1])
				x0 = a[0] + t*(b[0]-a[0])
				x1 = x0
			}
			lo = math.Min(lo, math.Min(x0, x1))
			hi = math.Max(hi, math.Max(x0, x1))
		}
	}
	if len(hull) == 1 && hull[0][1] == fy {
		lo, hi = hull[0][0], hull[0][0]
	}
	if lo > hi {
		return 0, 0, false
	}
	return int(math.Ceil(lo - 1e-9)), int(math.Floor(hi + 1e-9)), true
}

func trailing(w uint64) int {
	n := 0
	for w&1 == 0 {
		w >>= 1
		n++
	}
	return n
}

func leading(w uint64) int {
	n := gridN - 1
	for w&(1<<uint(n)) == 0 {
		n--
	}
	return n
}

// TestRegionKernelsMatchDefinition wants measure's moments of real regions
// and of random masks, and the concavities of real regions' views (and of
// random grids, single cells and rows included), to be the very same as the
// definitions'.
func TestRegionKernelsMatchDefinition(t *testing.T) {
	f := realPairs(t)
	n := 0
	for i, c := range f.cands {
		src := maskSource{w: c.src.Dx(), h: c.src.Dy(), pix: c.mask}
		got, gok := measure(src)
		want, wok := plainMeasure(src)
		if got != want || gok != wok {
			t.Fatalf("region %d (%v): moments %+v %v, definition %+v %v", i, c.src, got, gok, want, wok)
		}
		for _, g := range []bitgrid{c.view.mask, rasterizeAligned(src, got, false)} {
			if g.concavity() != plainConcavity(&g) {
				t.Fatalf("region %d (%v): concavity differs from the definition", i, c.src)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no regions")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	// Masks of any non-zero bytes, in runs and speckle, of widths around
	// the eight pixels measure reads at a time.
	for k := range 500 {
		src := randomRunMask(rng, 1+rng.IntN(40), 1+rng.IntN(12), 1+k%20)
		got, gok := measure(src)
		want, wok := plainMeasure(src)
		if got != want || gok != wok {
			t.Fatalf("mask %d (%dx%d): moments %+v %v, definition %+v %v", k, src.w, src.h, got, gok, want, wok)
		}
	}
	for k := range 3000 {
		var g bitgrid
		switch k % 3 {
		case 0: // one cell
			g[rng.IntN(gridN)] = 1 << uint(rng.IntN(gridN))
		case 1: // one row
			g[rng.IntN(gridN)] = rng.Uint64() | 1<<63
		default:
			for y := rng.IntN(gridN); y < gridN; y += 1 + rng.IntN(4) {
				g[y] = rng.Uint64() & rng.Uint64()
			}
		}
		if g.concavity() != plainConcavity(&g) {
			t.Fatalf("grid %v: concavity differs from the definition", g)
		}
	}
	t.Logf("%d views of %d regions", n, len(f.cands))
}

// TestRGBUnscaledMatchesBoxFilter wants toRGB's raster of a picture it does
// not scale (JPEG-decoded YCbCr scenes, an RGBA one with translucent
// pixels) to be the box filter's, byte for byte.
func TestRGBUnscaledMatchesBoxFilter(t *testing.T) {
	var imgs []image.Image
	for _, img := range loadDir(t, "testdata/scenes") {
		imgs = append(imgs, img)
	}
	rgba := image.NewRGBA(image.Rect(3, 5, 120, 90))
	rng := rand.New(rand.NewPCG(7, 8))
	for y := rgba.Rect.Min.Y; y < rgba.Rect.Max.Y; y++ {
		for x := rgba.Rect.Min.X; x < rgba.Rect.Max.X; x++ {
			a := uint8(rng.IntN(256))
			rgba.SetRGBA(x, y, color.RGBA{uint8(rng.IntN(int(a) + 1)), uint8(rng.IntN(int(a) + 1)), uint8(rng.IntN(int(a) + 1)), a})
		}
	}
	imgs = append(imgs, rgba)
	kinds := map[string]int{}
	for _, img := range imgs {
		b := img.Bounds()
		got, ok := rgbUnscaled(img)
		if !ok {
			continue
		}
		kinds[typeName(img)]++
		_, _, xmap := fitRaster(b.Dx(), b.Dy(), 0)
		want := rgbBoxed(img, b.Dx(), b.Dy(), xmap)
		if got.w != want.w || got.h != want.h || !slices.Equal(got.pix, want.pix) {
			t.Fatalf("%T %v: unscaled raster differs from the box filter", img, b)
		}
	}
	if kinds["ycbcr"] == 0 || kinds["rgba"] == 0 {
		t.Fatalf("pictures compared by type: %v; want YCbCr and RGBA", kinds)
	}
}

func typeName(img image.Image) string {
	switch img.(type) {
	case *image.YCbCr:
		return "ycbcr"
	case *image.RGBA:
		return "rgba"
	}
	return "other"
}

// plainRGBBoxed is rgbBoxed's YCbCr sampling as first written, both
// offsets taken a pixel at a time: the definition the faster one must
// reproduce.
func plainRGBBoxed(src *image.YCbCr, w, h int, xmap []int) rgbImage {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	sum := make([]uint32, 3*w*h)
	cnt := make([]uint32, w*h)
	for y := range sh {
		dy := min(h-1, int(float64(y)*float64(h)/float64(sh))) * w
		for x := range sw {
			yi := src.YOffset(x+b.Min.X, y+b.Min.Y)
			ci := src.COffset(x+b.Min.X, y+b.Min.Y)
			r, g, bl := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
			i := dy + xmap[x]
			sum[3*i] += uint32(r)
			sum[3*i+1] += uint32(g)
			sum[3*i+2] += uint32(bl)
			cnt[i]++
		}
	}
	out := rgbImage{w: w, h: h, pix: make([]uint8, 3*w*h)}
	averageInto(out.pix, sum, cnt)
	return out
}

// TestRGBBoxedYCbCrMatchesDefinition wants the box filter of YCbCr
// pictures (the JPEG scenes, and random ones at every subsampling ratio,
// cut out at odd offsets) to be the definition's, byte for byte, at the
// colour raster's size and at an odd one.
func TestRGBBoxedYCbCrMatchesDefinition(t *testing.T) {
	var pics []*image.YCbCr
	for _, img := range loadDir(t, "testdata/scenes") {
		if y, ok := img.(*image.YCbCr); ok {
			pics = append(pics, y)
		}
	}
	if len(pics) == 0 {
		t.Fatal("no YCbCr scenes")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, r := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		p := image.NewYCbCr(image.Rect(1, 3, 211, 158), r)
		for _, pl := range [][]uint8{p.Y, p.Cb, p.Cr} {
			for i := range pl {
				pl[i] = uint8(rng.IntN(256))
			}
		}
		pics = append(pics, p, p.SubImage(image.Rect(6, 7, 190, 141)).(*image.YCbCr))
	}
	for _, p := range pics {
		b := p.Bounds()
		for _, side := range []int{DefaultConfig().ColourSide, 97} {
			w, h, xmap := fitRaster(b.Dx(), b.Dy(), side)
			got, want := rgbBoxed(p, w, h, xmap), plainRGBBoxed(p, w, h, xmap)
			if !slices.Equal(got.pix, want.pix) {
				t.Fatalf("%v %v at %d px: raster differs from the definition", p.SubsampleRatio, b, side)
			}
		}
	}
}

// TestAverageIntoRoundsEachChannel wants averageInto to be each channel's sum
// over its count, rounded half up and capped at 255, and white where the
// count is zero, on random sums and counts.
func TestAverageIntoRoundsEachChannel(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const w, h = 37, 23
	sum := make([]uint32, 3*w*h)
	cnt := make([]uint32, w*h)
	for i := range cnt {
		if rng.IntN(10) > 0 {
			cnt[i] = uint32(1 + rng.IntN(40))
		}
		for k := range 3 {
			sum[3*i+k] = uint32(rng.IntN(int(256*cnt[i]) + 1))
		}
	}
	got := rgbImage{w: w, h: h, pix: make([]uint8, 3*w*h)}
	averageInto(got.pix, sum, cnt)
	for i, c := range cnt {
		for k := range 3 {
			want := uint8(255)
			if c != 0 {
				want = uint8(min(255, (2*sum[3*i+k]+c)/(2*c)))
			}
			if got.pix[3*i+k] != want {
				t.Fatalf("cell %d channel %d: sum %d count %d gives %d, want %d", i, k, sum[3*i+k], c, got.pix[3*i+k], want)
			}
		}
	}
}

// TestOtsuCountsMatchDefinition wants otsu's four-table count of all values
// to give the threshold of the one-by-one count (the keep path, which
// keeps every value here) on random rasters, flat and of every length
// around the four-pixel step.
func TestOtsuCountsMatchDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	all := func(int) bool { return true }
	for k := range 400 {
		pix := make([]uint8, rng.IntN(1+k*k))
		lo, span := rng.IntN(256), 1+rng.IntN(256)
		for i := range pix {
			pix[i] = uint8(min(255, lo+rng.IntN(span)))
			if k%4 == 0 {
				pix[i] = uint8(lo) // flat
			}
		}
		if got, want := otsu(pix, nil), otsu(pix, all); got != want {
			t.Fatalf("raster %d (%d values): threshold %d, definition %d", k, len(pix), got, want)
		}
	}
}

// TestRadialFromRingsMatchesDefinition wants every real region's radial
// profile, which addCandidate takes from its ring counts, to be radialOf's
// of its view, and the same for the views of random grids.
func TestRadialFromRingsMatchesDefinition(t *testing.T) {
	f := realPairs(t)
	for i, c := range f.cands {
		if c.rad != radialOf(&c.view) {
			t.Fatalf("region %d (%v): radial profile %v, definition %v", i, c.src, c.rad, radialOf(&c.view))
		}
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for k := range 500 {
		var g bitgrid
		for y := rng.IntN(gridN); y < gridN; y += 1 + rng.IntN(3) {
			g[y] = rng.Uint64() & rng.Uint64()
		}
		v := newShapeView(g)
		r := ringCountsOf(&v)
		if got, want := r.radial(v.maskN), radialOf(&v); got != want {
			t.Fatalf("grid %d: radial profile %v, definition %v", k, got, want)
		}
	}
	if len(f.cands) == 0 {
		t.Fatal("no regions")
	}
}

// TestRadialDistMatchesDefinition wants radialDist's branch-free absolute
// values to give the sum of the differences made positive by negation,
// on profiles of real regions and references.
func TestRadialDistMatchesDefinition(t *testing.T) {
	f := realPairs(t)
	plain := func(a, b *radial) float64 {
		var s float32
		for i := range a {
			d := a[i] - b[i]
			if d < 0 {
				d = -d
			}
			s += d
		}
		return float64(s)
	}
	n := 0
	for _, c := range f.cands {
		for _, r := range f.refs {
			if got, want := radialDist(&c.rad, &r.rad), plain(&c.rad, &r.rad); got != want {
				t.Fatalf("radial distance %v, definition %v", got, want)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no pairs")
	}
}

// TestColourStepMatchesDefinition wants colourStep's branch-free absolute
// values to give the L1 distance of every pair of channel values.
func TestColourStepMatchesDefinition(t *testing.T) {
	p := make([]uint8, 6)
	for a := range 256 {
		for b := range 256 {
			p[0], p[1], p[2] = uint8(a), uint8(b), uint8(a^b)
			p[3], p[4], p[5] = uint8(b), uint8(255-a), uint8(a)
			want := 0
			for k := range 3 {
				v := int(p[k]) - int(p[3+k])
				if v < 0 {
					v = -v
				}
				want += v
			}
			if got := colourStep(p, 0, 1); got != want {
				t.Fatalf("pixels %v: step %d, definition %d", p, got, want)
			}
		}
	}
}

// randomRunMask is a w×h mask of any non-zero bytes laid in runs of up to
// maxRun pixels, each on or off at random.
func randomRunMask(rng *rand.Rand, w, h, maxRun int) maskSource {
	pix := make([]uint8, w*h)
	for i := 0; i < len(pix); {
		v := uint8(0)
		if rng.IntN(2) == 0 {
			v = uint8(1 + rng.IntN(255))
		}
		for l := 1 + rng.IntN(maxRun); l > 0 && i < len(pix); l-- {
			pix[i] = v
			i++
		}
	}
	return maskSource{w: w, h: h, pix: pix}
}
