package logo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// plainRasterizeLinear is rasterizeLinear's sampling as first written, the
// whole map applied to every pixel: the definition the faster one must
// reproduce.
func plainRasterizeLinear(m maskSource, mo moments, A [4]float64) bitgrid {
	var on, tot [gridN * gridN]uint16
	half := float64(gridN) / 2
	det := A[0]*A[3] - A[1]*A[2]
	fine := math.Sqrt(math.Abs(det)) / cellSize
	if fine < 1 {
		step := max(1, int(1/fine/3))
		a0, a1, a2, a3 := A[0]/cellSize, A[1]/cellSize, A[2]/cellSize, A[3]/cellSize
		for y := 0; y < m.h; y += step {
			dy := float64(y) + 0.5 - mo.cy
			row := m.pix[y*m.w : (y+1)*m.w]
			for x := 0; x < m.w; x += step {
				dx := float64(x) + 0.5 - mo.cx
				u := a0*dx + a1*dy + half
				v := a2*dx + a3*dy + half
				if u < 0 || v < 0 || u >= gridN || v >= gridN {
					continue
				}
				i := int(v)*gridN + int(u)
				tot[i]++
				if row[x] != 0 {
					on[i]++
				}
			}
		}
	}
	return plainCastCells(m, mo, A, &on, &tot)
}

// plainCastCells is castCells as first written, the inverse map applied
// in full to every cell no pixel fell into.
func plainCastCells(m maskSource, mo moments, A [4]float64, on, tot *[gridN * gridN]uint16) bitgrid {
	half := float64(gridN) / 2
	det := A[0]*A[3] - A[1]*A[2]
	i0, i1, i2, i3 := A[3]/det*cellSize, -A[1]/det*cellSize, -A[2]/det*cellSize, A[0]/det*cellSize
	var g bitgrid
	for cy := range gridN {
		for cx := range gridN {
			i := cy*gridN + cx
			if tot[i] > 0 {
				if 2*on[i] >= tot[i] && on[i] > 0 {
					g[cy] |= 1 << uint(cx)
				}
				continue
			}
			u := float64(cx) + 0.5 - half
			v := float64(cy) + 0.5 - half
			sx := i0*u + i1*v + mo.cx
			sy := i2*u + i3*v + mo.cy
			px, py := int(math.Floor(sx)), int(math.Floor(sy))
			if px >= 0 && py >= 0 && px < m.w && py < m.h && m.pix[py*m.w+px] != 0 {
				g[cy] |= 1 << uint(cx)
			}
		}
	}
	return g
}

// TestRasterKernelsMatchDefinition wants the rasterisation of real regions
// (grey and colour, at every search angle and in the principal frame) to
// give the very same grid as the definition, and the hull's bucket sort the
// same order as a comparison sort.
func TestRasterKernelsMatchDefinition(t *testing.T) {
	f := realPairs(t)
	n := 0
	for i, c := range f.cands {
		if i%3 != 0 {
			continue
		}
		src := maskSource{w: c.src.Dx(), h: c.src.Dy(), pix: c.mask}
		mo, ok := measure(src)
		if !ok {
			continue
		}
		for a := range numAngles {
			ang := angleAt(a) * math.Pi / 180
			k := 1 / mo.radius
			A := [4]float64{k * math.Cos(ang), -k * math.Sin(ang), k * math.Sin(ang), k * math.Cos(ang)}
			if got, want := rasterizeLinear(src, mo, A), plainRasterizeLinear(src, mo, A); got != want {
				t.Fatalf("region %d (%v) at %v°: raster differs from the definition", i, c.src, angleAt(a))
			}
			n++
		}
		if got := rasterizeAligned(src, mo, true); got != rasterizeAlignedPlain(src, mo, true) {
			t.Fatalf("region %d (%v): aligned raster differs from the definition", i, c.src)
		}
	}
	if n == 0 {
		t.Fatal("no regions")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	// Axis maps (rasterizeAxes) of random masks of any non-zero bytes, up
	// to 600 pixels (cells of several pixels, sampled every few), both
	// ways along each axis and stretched.
	for k := range 300 {
		src := randomRunMask(rng, 4+rng.IntN(1+k*2), 4+rng.IntN(1+k*2), 1+k%30)
		mo, ok := measure(src)
		if !ok {
			continue
		}
		s := 1 / mo.radius
		for _, A := range [][4]float64{{s, 0, 0, s}, {-s, 0, 0, s}, {s, 0, 0, -1.7 * s}, {0.6 * s, 0, 0, 2 * s}} {
			if got, want := rasterizeLinear(src, mo, A), plainRasterizeLinear(src, mo, A); got != want {
				t.Fatalf("mask %d (%dx%d), map %v: raster differs from the definition", k, src.w, src.h, A)
			}
			n++
		}
	}
	for range 2000 {
		var pts [][2]float64
		for y := range gridN {
			if rng.IntN(3) == 0 {
				continue
			}
			lo, hi := rng.IntN(gridN), rng.IntN(gridN)
			pts = append(pts, [2]float64{float64(min(lo, hi)), float64(y)}, [2]float64{float64(max(lo, hi)), float64(y)})
		}
		want := slices.Clone(pts)
		slices.SortFunc(want, func(a, b [2]float64) int {
			return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
		})
		sortCells(pts)
		if !slices.Equal(pts, want) {
			t.Fatalf("sortCells %v, sort %v", pts, want)
		}
	}
	t.Logf("%d rasters of %d regions", n, len(f.cands))
}

func rasterizeAlignedPlain(m maskSource, mo moments, flip bool) bitgrid {
	a := -mo.theta * math.Pi / 180
	if flip {
		a += math.Pi
	}
	cos, sin := math.Cos(a), math.Sin(a)
	k1, k2 := 1/math.Sqrt(mo.l1)/alignedSpread, 1/math.Sqrt(mo.l2)/alignedSpread
	return plainRasterizeLinear(m, mo, [4]float64{k1 * cos, -k1 * sin, k2 * sin, k2 * cos})
}
