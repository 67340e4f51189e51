package logo

import (
	"math/rand/v2"
	"testing"
)

// TestShiftSetMatchesDefinition wants each lazily made translated view to
// be the view made from the translated grids, the middle one included
// (which is the view itself), whatever order they are asked for in.
func TestShiftSetMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	const n = 2*maxShift + 1
	inside := 0
	for k := range 100 {
		var g bitgrid
		y0 := rng.IntN(gridN)
		for y := y0; y < min(gridN, y0+1+rng.IntN(gridN)); y++ {
			g[y] = rng.Uint64() & rng.Uint64()
		}
		if k%2 == 1 {
			// Away from the edges, where the translated views are
			// moved instead of made (see inner), but for a few.
			const lo, hi = maxShift, gridN - 1 - maxShift
			for y := range g {
				if y < lo || y > hi {
					g[y] = 0
				}
				g[y] &= (1<<(hi-lo+1) - 1) << lo
			}
			if k%10 == 1 {
				g[lo-1+rng.IntN(2)*(hi-lo+2)] |= 1 << (lo + rng.IntN(hi-lo))
			}
		}
		base := newShapeView(g)
		if inner(&base) {
			inside++
		}
		s := newShiftSet(&base)
		for _, i := range rng.Perm(shiftN) {
			dx, dy := i%n-maxShift, i/n-maxShift
			want := shapeView{mask: base.mask.shifted(dx, dy), conc: base.conc.shifted(dx, dy)}
			want.fillDilated()
			got := *s.at(i)
			got.hash = 0 // a translated view carries no hash; the middle one is the view itself
			if got != want {
				t.Fatalf("grid %d, shift (%d, %d): the lazy view differs from the translated grids'", k, dx, dy)
			}
			if s.at(i) != s.at(i) {
				t.Fatalf("grid %d, shift (%d, %d): made twice", k, dx, dy)
			}
		}
	}
	if inside < 30 {
		t.Fatalf("only %d grids away from the edges", inside)
	}
}

// shiftedDef is bitgrid.shifted as first written: each row moved by a
// branch on the sign of dx.
func shiftedDef(g *bitgrid, dx, dy int) bitgrid {
	var out bitgrid
	for y := range gridN {
		sy := y - dy
		if sy < 0 || sy >= gridN {
			continue
		}
		w := g[sy]
		if dx > 0 {
			w <<= uint(dx)
		} else if dx < 0 {
			w >>= uint(-dx)
		}
		out[y] = w
	}
	return out
}

// TestShiftIntoMatchesDefinition wants shiftInto to write the moved grid
// over whatever out held, for random grids and every shift of up to four
// cells.
func TestShiftIntoMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 7))
	for k := range 200 {
		var g bitgrid
		for y := range g {
			if rng.IntN(3) > 0 {
				g[y] = rng.Uint64()
			}
		}
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				var out bitgrid
				for y := range out {
					out[y] = rng.Uint64() // a dirty grid: every row must be written
				}
				g.shiftInto(&out, dx, dy)
				if want := shiftedDef(&g, dx, dy); out != want || g.shifted(dx, dy) != want {
					t.Fatalf("grid %d, shift (%d, %d): moved grid differs from the definition", k, dx, dy)
				}
			}
		}
	}
}
