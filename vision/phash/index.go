package phash

import (
	"errors"
	"fmt"
	"math/bits"
)

// Multi-index hashing (Norouzi, Punjani, Fleet, "Fast search in Hamming space
// with multi-index hashing", CVPR 2012): a 64-bit hash is split into m bands.
// Two hashes within distance r = s*m + a (0 <= a < m) of each other agree
// within s bits on one of the first a+1 bands or within s-1 bits on one of
// the others (pigeonhole: otherwise they differ in at least
// (a+1)(s+1) + (m-a-1)s = r+1 bits), so a lookup only reads the buckets of
// the band values within those small radii of the query's, then verifies the
// full distance. The tighter radius on the last bands reads 3 times fewer
// buckets at r = 8 with 4 bands than s on every band would. The layout is shared by the in-process [Index] and the Redis
// index of package ingest/redisq, so both answer the same.

// ErrLayout is returned for an unusable band count or radius.
var ErrLayout = errors.New("phash: bad multi-index layout")

// MaxProbes bounds the bucket reads of one lookup: past it the radius is
// too large for the band count and a linear scan is cheaper.
const MaxProbes = 1 << 14

// Layout is how hashes are cut into bands.
type Layout struct {
	bands, width int
}

// NewLayout returns the layout with the given number of equal bands: 1, 2,
// 4, 8 or 16.
func NewLayout(bands int) (Layout, error) {
	switch bands {
	case 1, 2, 4, 8, 16:
		return Layout{bands: bands, width: Bits / bands}, nil
	}
	return Layout{}, fmt.Errorf("%w: %d bands (want 1, 2, 4, 8 or 16)", ErrLayout, bands)
}

// Bands is the number of bands.
func (l Layout) Bands() int { return l.bands }

// Band returns band i of h (the width low bits of h >> (i*width)).
func (l Layout) Band(h uint64, i int) uint64 {
	return (h >> uint(i*l.width)) & l.mask()
}

func (l Layout) mask() uint64 {
	if l.width == Bits {
		return ^uint64(0)
	}
	return 1<<uint(l.width) - 1
}

// bandRadius is band i's search radius for a full radius r (-1: band i
// need not be read).
func (l Layout) bandRadius(r, i int) int {
	s := r / l.bands
	if i > r%l.bands {
		s--
	}
	return min(s, l.width)
}

// Probes returns how many buckets a lookup at radius r reads, or an error
// wrapping [ErrLayout] when r is negative or needs more than [MaxProbes].
func (l Layout) Probes(r int) (int, error) {
	if r < 0 || r > Bits {
		return 0, fmt.Errorf("%w: radius %d", ErrLayout, r)
	}
	n := 0
	for i := range l.bands {
		c := 1 // C(width, k)
		for k := 0; k <= l.bandRadius(r, i); k++ {
			n += c
			c = c * (l.width - k) / (k + 1)
		}
	}
	if n > MaxProbes {
		return n, fmt.Errorf("%w: radius %d with %d bands reads %d buckets (max %d)", ErrLayout, r, l.bands, n, MaxProbes)
	}
	return n, nil
}

// EachProbe calls fn with every (band, value) bucket a lookup of h at
// radius r must read. Call [Layout.Probes] first to validate r.
func (l Layout) EachProbe(h uint64, r int, fn func(band int, v uint64)) {
	for i := range l.bands {
		if s := l.bandRadius(r, i); s >= 0 {
			flips(l.Band(h, i), l.width, 0, s, func(u uint64) { fn(i, u) })
		}
	}
}

// flips calls fn with v and every value that differs from it in at most k
// of the bits from position from up to width.
func flips(v uint64, width, from, k int, fn func(uint64)) {
	fn(v)
	if k == 0 {
		return
	}
	for b := from; b < width; b++ {
		flips(v^1<<uint(b), width, b+1, k-1, fn)
	}
}

// FirstBand reports whether band i is the first band on which a and b are
// within that band's radius for r: a lookup that finds b through several
// buckets reports it from that band only, with no shared state.
func (l Layout) FirstBand(a, b uint64, r, i int) bool {
	for j := range i {
		if bits.OnesCount64(l.Band(a^b, j)) <= l.bandRadius(r, j) {
			return false
		}
	}
	return bits.OnesCount64(l.Band(a^b, i)) <= l.bandRadius(r, i)
}

// Index is an in-process multi-index over hashes, each carrying an int
// payload (a position in the caller's own table). It is read-only after
// building and then safe for concurrent lookups.
type Index struct {
	layout Layout
	// tables[i] maps band i's value to the entries holding it.
	tables []map[uint64][]entry
	n      int
}

type entry struct {
	hash uint64
	id   int32
}

// NewIndex returns an empty index with the given layout.
func NewIndex(l Layout) *Index {
	ix := &Index{layout: l, tables: make([]map[uint64][]entry, l.bands)}
	for i := range ix.tables {
		ix.tables[i] = make(map[uint64][]entry)
	}
	return ix
}

// Add files hash h with payload id.
func (ix *Index) Add(h uint64, id int32) {
	for i, t := range ix.tables {
		v := ix.layout.Band(h, i)
		t[v] = append(t[v], entry{hash: h, id: id})
	}
	ix.n++
}

// Len is the number of hashes filed.
func (ix *Index) Len() int { return ix.n }

// Lookup calls fn once for every filed hash within distance r of h, with its
// payload and distance. r must pass [Layout.Probes].
func (ix *Index) Lookup(h uint64, r int, fn func(id int32, dist int)) {
	ix.layout.EachProbe(h, r, func(band int, v uint64) {
		for _, e := range ix.tables[band][v] {
			d := bits.OnesCount64(e.hash ^ h)
			if d <= r && ix.layout.FirstBand(h, e.hash, r, band) {
				fn(e.id, d)
			}
		}
	})
}
