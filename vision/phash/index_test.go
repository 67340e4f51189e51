package phash

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestLayoutProbes(t *testing.T) {
	tests := []struct {
		bands, radius, want int
		ok                  bool
	}{
		{4, 0, 1, true},
		{4, 3, 4, true},
		{4, 4, 17 + 3, true},
		{4, 7, 4 * 17, true},
		{4, 8, (1 + 16 + 120) + 3*17, true},
		{4, 11, 4 * (1 + 16 + 120), true},
		{4, 12, (1 + 16 + 120 + 560) + 3*(1+16+120), true},
		{8, 15, 8 * 9, true},
		{8, 2, 3, true},
		{1, 2, 1 + 64 + 2016, true},
		{4, 40, 0, false},
		{4, -1, 0, false},
	}
	for _, tc := range tests {
		l, err := NewLayout(tc.bands)
		if err != nil {
			t.Fatal(err)
		}
		n, err := l.Probes(tc.radius)
		if tc.ok != (err == nil) || (tc.ok && n != tc.want) {
			t.Errorf("bands %d radius %d: %d, %v; want %d ok=%v", tc.bands, tc.radius, n, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrLayout) {
			t.Errorf("error %v does not wrap ErrLayout", err)
		}
		if err == nil {
			seen := map[[2]uint64]bool{}
			l.EachProbe(0x0123456789abcdef, tc.radius, func(b int, v uint64) { seen[[2]uint64{uint64(b), v}] = true })
			if len(seen) != n {
				t.Errorf("bands %d radius %d: %d distinct probes, Probes says %d", tc.bands, tc.radius, len(seen), n)
			}
		}
	}
	if _, err := NewLayout(3); !errors.Is(err, ErrLayout) {
		t.Errorf("3 bands: %v", err)
	}
}

// TestIndexMatchesLinearScan: every lookup returns each hash within the
// radius exactly once, as a linear scan does.
func TestIndexMatchesLinearScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, bands := range []int{2, 4, 8, 16} {
		l, _ := NewLayout(bands)
		ix := NewIndex(l)
		hs := make([]uint64, 3000)
		centre := rng.Uint64()
		for i := range hs {
			hs[i] = centre
			for range rng.IntN(20) {
				hs[i] ^= 1 << uint(rng.IntN(64))
			}
			ix.Add(hs[i], int32(i))
		}
		for range 100 {
			q := hs[rng.IntN(len(hs))] ^ 1<<uint(rng.IntN(64))
			for r := range 15 {
				if _, err := l.Probes(r); err != nil {
					continue
				}
				var got, want []int32
				ix.Lookup(q, r, func(id int32, d int) {
					if d != bits.OnesCount64(hs[id]^q) {
						t.Fatalf("distance %d for %d", d, id)
					}
					got = append(got, id)
				})
				for i, h := range hs {
					if bits.OnesCount64(h^q) <= r {
						want = append(want, int32(i))
					}
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("bands %d radius %d: got %d hashes, linear scan %d", bands, r, len(got), len(want))
				}
			}
		}
	}
}
