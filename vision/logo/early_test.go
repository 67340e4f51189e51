package logo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestEarlyExitsAgree checks the kernels that give up early against the
// ones that do not: maskTolerantOver must say over exactly when
// maskTolerantF is over the bar, with the same number then, at bars on
// both sides of the score and on it; radialWithin must agree with
// radialDist. Pairs are real regions against real references at every
// angle, and random grids.
func TestEarlyExitsAgree(t *testing.T) {
	f := realPairs(t)
	rng := rand.New(rand.NewPCG(9, 4))
	var pairs, gaveUp int
	check := func(name string, c, r *shapeView) {
		t.Helper()
		want := maskTolerantF(c, r)
		for _, bar := range []float64{0, 0.3, DefaultConfig().CoarseMin, 0.9, want, math.Nextafter(want, -1), math.Nextafter(want, 2), want - 0.05, want + 0.05, rng.Float64()} {
			got, over := maskTolerantOver(c, r, bar)
			if over != (want > bar) || (over && got != want) {
				t.Fatalf("%s, bar %v: maskTolerantOver (%v, %v), maskTolerantF %v", name, bar, got, over, want)
			}
			pairs++
			if !over && got != want {
				gaveUp++
			}
		}
	}
	for i, c := range f.cands {
		if i%5 != 0 {
			continue
		}
		r := f.refs[rng.IntN(len(f.refs))]
		for a := range r.views {
			check(r.logoID, &c.view, &r.views[a])
		}
		if c.aligned != nil && r.aniso {
			for k := range r.tapered {
				check(r.logoID+"/tapered", c.aligned, &r.tapered[k][0])
			}
		}
		for _, o := range f.refs {
			d := radialDist(&c.rad, &o.rad)
			for _, most := range []float64{d, math.Nextafter(d, -1), DefaultConfig().MaxRadial, 0.5} {
				if got, want := radialWithin(&c.rad, &o.rad, most), d <= most; got != want {
					t.Fatalf("region %d vs %s, most %v: radialWithin %v, radialDist %v", i, o.logoID, most, got, d)
				}
			}
		}
	}
	var empty shapeView
	empty.fillDilated()
	check("empty/empty", &empty, &empty)
	for range 2000 {
		var a, b bitgrid
		y0, y1 := rng.IntN(gridN), rng.IntN(gridN)
		for y := min(y0, y1); y <= max(y0, y1); y++ {
			a[y] = rng.Uint64() & rng.Uint64()
		}
		for y := rng.IntN(gridN); y < gridN; y += 1 + rng.IntN(3) {
			b[y] = rng.Uint64()
		}
		va, vb := newShapeView(a), newShapeView(b)
		check("random", &va, &vb)
	}
	t.Logf("%d comparisons, %d given up before the last row", pairs, gaveUp)
	if gaveUp == 0 {
		t.Error("maskTolerantOver never gave up early")
	}
}
