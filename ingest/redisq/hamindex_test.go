package redisq

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"counterlens/models"
	"counterlens/vision/phash"
)

// nearHash flips k distinct random bits of h.
func nearHash(rng *rand.Rand, h uint64, k int) uint64 {
	for _, b := range rng.Perm(64)[:k] {
		h ^= 1 << uint(b)
	}
	return h
}

// linear is the reference answer: every filed (id, hash) within radius.
func linear(filed map[string][]uint64, q uint64, radius int) []string {
	var out []string
	for id, hs := range filed {
		for _, h := range hs {
			if bits.OnesCount64(h^q) <= radius {
				out = append(out, fmt.Sprintf("%s/%016x", id, h))
			}
		}
	}
	slices.Sort(out)
	return out
}

func matchKeys(ms []HamMatch) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%s/%016x", m.ID, m.Hash)
	}
	slices.Sort(out)
	return out
}

// TestHamIndexMatchesLinearScan files clustered random hashes (so that
// queries have neighbours at every distance) and checks that every lookup
// returns exactly what a linear scan returns, for several layouts and radii,
// also after ids are replaced and removed.
func TestHamIndexMatchesLinearScan(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for _, bands := range []int{2, 4, 8} {
		t.Run(fmt.Sprintf("bands=%d", bands), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(bands), 99))
			ix, err := s.HamIndex(ctx, fmt.Sprintf("test%d", bands), bands)
			if err != nil {
				t.Fatal(err)
			}
			filed := map[string][]uint64{}
			centres := make([]uint64, 20)
			for i := range centres {
				centres[i] = rng.Uint64()
			}
			var entries []HamEntry
			for i := range 600 {
				id := fmt.Sprintf("id%03d", i)
				hs := []uint64{nearHash(rng, centres[rng.IntN(len(centres))], rng.IntN(14))}
				if rng.IntN(4) == 0 {
					hs = append(hs, rng.Uint64())
				}
				filed[id] = hs
				entries = append(entries, HamEntry{ID: id, Hashes: hs})
			}
			if err := ix.Put(ctx, entries...); err != nil {
				t.Fatal(err)
			}
			check := func(stage string) {
				t.Helper()
				for q := range 60 {
					h := nearHash(rng, centres[q%len(centres)], rng.IntN(8))
					if q%10 == 0 {
						h = rng.Uint64()
					}
					for _, r := range []int{0, 1, 3, 5, 8, 11} {
						if _, err := ix.layout.Probes(r); err != nil {
							continue
						}
						got, err := ix.Lookup(ctx, h, r)
						if err != nil {
							t.Fatal(err)
						}
						want := linear(filed, h, r)
						if !slices.Equal(matchKeys(got), want) {
							t.Fatalf("%s: lookup %016x radius %d: got %d %v, linear scan %d %v", stage, h, r, len(got), matchKeys(got), len(want), want)
						}
						for i := 1; i < len(got); i++ {
							if got[i].Distance < got[i-1].Distance {
								t.Fatalf("%s: not nearest first: %v", stage, got)
							}
						}
					}
				}
			}
			check("filed")
			// Replace a third, remove a tenth.
			var changes []HamEntry
			for i := range 600 {
				id := fmt.Sprintf("id%03d", i)
				switch {
				case i%10 == 0:
					delete(filed, id)
					changes = append(changes, HamEntry{ID: id})
				case i%3 == 0:
					filed[id] = []uint64{nearHash(rng, centres[rng.IntN(len(centres))], rng.IntN(10))}
					changes = append(changes, HamEntry{ID: id, Hashes: filed[id]})
				}
			}
			if err := ix.Put(ctx, changes...); err != nil {
				t.Fatal(err)
			}
			check("changed")
			if n, err := ix.Len(ctx); err != nil || n != int64(len(filed)) {
				t.Fatalf("Len = %d, %v; want %d", n, err, len(filed))
			}
		})
	}
}

func TestHamIndexLayoutAndRadiusLimits(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.HamIndex(ctx, "x", 4); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HamIndex(ctx, "x", 8); !errors.Is(err, ErrIndexLayout) {
		t.Fatalf("reopening with another band count: %v, want ErrIndexLayout", err)
	}
	if _, err := s.HamIndex(ctx, "y", 3); !errors.Is(err, phash.ErrLayout) {
		t.Fatalf("3 bands: %v, want phash.ErrLayout", err)
	}
	ix, _ := s.HamIndex(ctx, "x", 4)
	for _, r := range []int{-1, 60, 65} {
		if _, err := ix.Lookup(ctx, 0, r); !errors.Is(err, ErrIndexLayout) {
			t.Errorf("radius %d: %v, want ErrIndexLayout", r, err)
		}
	}
	if err := ix.Put(ctx, HamEntry{Hashes: []uint64{1}}); err == nil {
		t.Error("an entry without id was accepted")
	}
}

// TestLogosAreIndexedByPerceptualHash: AddLogo files the logo's pHash,
// DeleteLogo removes it, and LogosNear finds it within the radius only.
func TestLogosAreIndexedByPerceptualHash(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	b, err := s.CreateBrand(ctx, models.Brand{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	const h = 0x8f3c_0a11_5e6d_7b22
	l, err := s.AddLogo(ctx, models.Logo{BrandID: b.ID, PHash: phash.Hex(h)}, []byte("png"))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := s.AddLogo(ctx, models.Logo{BrandID: b.ID, PHash: "not hex"}, []byte("png"))
	if err != nil {
		t.Fatal(err)
	}
	near, err := s.LogosNear(ctx, h^0b1011, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(near) != 1 || near[0].ID != l.ID || near[0].Distance != 3 {
		t.Fatalf("LogosNear = %+v, want %s at 3", near, l.ID)
	}
	if far, _ := s.LogosNear(ctx, h^0b1011, 2); len(far) != 0 {
		t.Fatalf("radius 2 found %+v", far)
	}
	for _, id := range []string{l.ID, bad.ID} {
		if err := s.DeleteLogo(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if near, _ := s.LogosNear(ctx, h, 8); len(near) != 0 {
		t.Fatalf("deleted logo still indexed: %+v", near)
	}
}
