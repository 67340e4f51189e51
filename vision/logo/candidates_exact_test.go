package logo

import (
	"image"
	"image/color"
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

// TestRegionKernelsMatchDefinition wants measure's moments and the
// concavities of real regions' views (and of random grids, single cells
// and rows included) to be the very same as the definitions'.
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
