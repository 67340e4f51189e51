package redisq

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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
	t.Parallel()
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
				switch rng.IntN(8) {
				case 0, 1:
					hs = append(hs, rng.Uint64())
				case 2: // the same hash as another id
					if i > 0 {
						hs[0] = entries[rng.IntN(i)].Hashes[0]
					}
				case 3: // ids of every length up to the longest
					id += strings.Repeat("x", rng.IntN(maxHamID-len(id)+1))
				}
				filed[id] = hs
				entries = append(entries, HamEntry{ID: id, Hashes: hs})
			}
			if err := ix.Put(ctx, entries...); err != nil {
				t.Fatal(err)
			}
			// Filing the same again changes nothing.
			if err := ix.Put(ctx, entries[:50]...); err != nil {
				t.Fatal(err)
			}
			check := func(stage string) {
				t.Helper()
				for q := range 60 {
					h := nearHash(rng, centres[q%len(centres)], rng.IntN(8))
					if q%10 == 0 {
						h = rng.Uint64()
					}
					for r := range 16 {
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
			for i, e := range entries {
				id := e.ID
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
	if err := ix.Put(ctx, HamEntry{ID: strings.Repeat("x", maxHamID+1), Hashes: []uint64{1}}); err == nil {
		t.Error("an id longer than an entry holds was accepted")
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

// TestHamIndexEntryBoundaries: an id that holds the bytes of another id's
// bucket entry does not make the index take one for the other when filing
// or removing.
func TestHamIndexEntryBoundaries(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	ix, err := s.HamIndex(ctx, "edge", 4)
	if err != nil {
		t.Fatal(err)
	}
	const h = 0x0102_0304_0506_0708
	tricky := "a" + hamEntry(h, "b")
	if err := ix.Put(ctx, HamEntry{ID: tricky, Hashes: []uint64{h}}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		put  HamEntry
		want []string
	}{
		{HamEntry{ID: "b", Hashes: []uint64{h}}, []string{tricky, "b"}},
		{HamEntry{ID: "b"}, []string{tricky}},
		{HamEntry{ID: "b", Hashes: []uint64{h}}, []string{tricky, "b"}},
		{HamEntry{ID: tricky}, []string{"b"}},
	}
	for i, st := range steps {
		if err := ix.Put(ctx, st.put); err != nil {
			t.Fatal(err)
		}
		ms, err := ix.Lookup(ctx, h, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.ID)
		}
		slices.Sort(got)
		slices.Sort(st.want)
		if !slices.Equal(got, st.want) {
			t.Fatalf("step %d: found %q, want %q", i, got, st.want)
		}
	}
}

// TestHamIndexMigratesSetBuckets: an index written in format 1 (one set
// per bucket, no format key) is refiled from its ids hash when opened, and
// its set buckets are deleted.
func TestHamIndexMigratesSetBuckets(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	l, _ := phash.NewLayout(4)
	old := &HamIndex{rdb: s.rdb, name: "old", layout: l}
	rng := rand.New(rand.NewPCG(3, 4))
	filed := map[string][]uint64{}
	centre := rng.Uint64()
	for i := range 300 {
		id := fmt.Sprintf("logo%d", i)
		hs := []uint64{nearHash(rng, centre, rng.IntN(16))}
		filed[id] = hs
		// Format 1, as hamindex.go wrote it: member = 8-byte hash + id.
		for b := range 4 {
			v := l.Band(hs[0], b)
			s.rdb.SAdd(ctx, old.key(strconv.Itoa(b)+":"+strconv.FormatUint(v, 16)), string(packHashes(hs))+id)
		}
		s.rdb.HSet(ctx, old.key("ids"), id, packHashes(hs))
	}
	s.rdb.Set(ctx, old.key("layout"), 4, 0)
	ix, err := s.HamIndex(ctx, "old", 4)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := s.rdb.Get(ctx, ix.key("format")).Result(); f != hamFormat {
		t.Fatalf("format = %q after opening", f)
	}
	if sets, _ := s.rdb.Keys(ctx, ix.key("[0-9]*")).Result(); len(sets) != 0 {
		t.Fatalf("%d set buckets left, e.g. %s", len(sets), sets[0])
	}
	delete(filed, "logo7")
	if err := ix.Put(ctx, HamEntry{ID: "logo7"}); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		q := nearHash(rng, centre, rng.IntN(8))
		for _, r := range []int{3, 7, 11} {
			got, err := ix.Lookup(ctx, q, r)
			if err != nil {
				t.Fatal(err)
			}
			if want := linear(filed, q, r); !slices.Equal(matchKeys(got), want) {
				t.Fatalf("radius %d: got %v, linear scan %v", r, matchKeys(got), want)
			}
		}
	}
}
