// Package runs labels connected components of thresholded grey images
// from their runs (maximal horizontal stretches of pixels on one side of a
// threshold) instead of their pixels: on photos there are a few dozen runs
// a row, so cutting a row into runs and linking the runs of consecutive
// rows that touch does a fraction of the work of a pass over the pixels.
// vision/logo (its grey ladder) and vision/ocr (its letter tests) label
// with it; each numbers and measures the components its own way.
package runs

import (
	"encoding/binary"
	"image"
	"math/bits"
)

// Run is the pixels [X0, X1) of row Y.
type Run struct{ X0, X1, Y int32 }

// Set holds runs row after row: row y's are Runs[Rows[y]:Rows[y+1]], left
// to right.
type Set struct {
	Runs []Run
	Rows []int32
}

// Reset empties s, keeping its buffers.
func (s *Set) Reset() {
	s.Runs, s.Rows = s.Runs[:0], s.Rows[:0]
}

// StartRow marks the start of the next row (and, after the last, the end).
func (s *Set) StartRow() { s.Rows = append(s.Rows, int32(len(s.Runs))) }

// Cut appends to above the runs of the pixels of pix (rows of stride
// bytes) within r that are above t, and to below those at or under it, in
// r's coordinates: the two polarities of a threshold cut from one pass.
// Each set gets r.Dy()+1 row marks.
func Cut(pix []byte, stride int, r image.Rectangle, t byte, above, below *Set) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		above.StartRow()
		below.StartRow()
		cutRow(pix[y*stride+r.Min.X:y*stride+r.Max.X], t, int32(y-r.Min.Y), above, below)
	}
	above.StartRow()
	below.StartRow()
}

// SWAR constants: every byte's low seven bits, every byte's top bit, and
// one in every byte.
const (
	low7  = 0x7f7f7f7f7f7f7f7f
	high1 = 0x8080808080808080
	ones  = 0x0101010101010101
)

// cutRow cuts one row into its runs above t and at or under it (row y).
// It reads the row eight pixels at a time: a word's bytes above t are found
// with carry-free byte arithmetic (see above8), the bytes where the side
// changes from the byte before by comparing that with itself moved by a
// byte, and only those are visited, so a stretch of pixels on one side
// costs a word's arithmetic per eight. The runs are the ones a pixel by
// pixel scan finds (TestCutMatchesDefinition).
func cutRow(row []byte, t byte, y int32, above, below *Set) {
	n := len(row)
	if n == 0 {
		return
	}
	// The slices are kept in locals, not written back through the sets
	// at every run.
	ra, rb := above.Runs, below.Runs
	emit := func(s, e int, up bool) {
		if up {
			ra = append(ra, Run{int32(s), int32(e), y})
		} else {
			rb = append(rb, Run{int32(s), int32(e), y})
		}
	}
	k := uint64(127-t&127) * ones
	hi := t >= 128
	s, up := 0, row[0] > t
	// prev holds the side of the byte before the word in its top bit
	// (bit 7); the first byte has no byte before it, so its own.
	var prev uint64
	if up {
		prev = 0x80
	}
	x := 0
	for ; x+8 <= n; x += 8 {
		m := above8(binary.LittleEndian.Uint64(row[x:]), k, hi)
		change := m ^ (m<<8 | prev)
		prev = m >> 56
		for ; change != 0; change &= change - 1 {
			e := x + bits.TrailingZeros64(change)>>3
			emit(s, e, up)
			s, up = e, !up
		}
	}
	for ; x < n; x++ {
		if (row[x] > t) != up {
			emit(s, x, up)
			s, up = x, !up
		}
	}
	emit(s, n, up)
	above.Runs, below.Runs = ra, rb
}

// NonZero8 returns the top bit of each byte of w that is not zero: above8
// at t = 0, for readers of masks eight pixels at a time.
func NonZero8(w uint64) uint64 { return above8(w, low7, false) }

// above8 returns the top bit of each byte of w that is above t, where
// k is (127 - t&127) in every byte and hi is t >= 128. A byte b's low
// seven bits plus 127 - t&127 reach 128 (its top bit) exactly when
// b&127 > t&127, and never carry into the next byte; b > t is that or b's
// own top bit when t < 128, and that and b's top bit when t >= 128.
func above8(w, k uint64, hi bool) uint64 {
	s := (w & low7) + k
	if hi {
		return s & w & high1
	}
	return (s | w) & high1
}

// Link joins in f (one element per run of s) the runs of consecutive rows
// that touch: whose columns overlap or, with conn8, meet at a corner. The
// root of each set is its first run in raster order.
func (s *Set) Link(f Forest, conn8 bool) {
	touch := int32(0)
	if conn8 {
		touch = 1
	}
	for y := 1; y+1 < len(s.Rows); y++ {
		a, aEnd := s.Rows[y-1], s.Rows[y]
		b, bEnd := s.Rows[y], s.Rows[y+1]
		for a < aEnd && b < bEnd {
			ra, rb := s.Runs[a], s.Runs[b]
			if ra.X0 < rb.X1+touch && rb.X0 < ra.X1+touch {
				f.Union(a, b)
			}
			if ra.X1 <= rb.X1 {
				a++
			} else {
				b++
			}
		}
	}
}

// Forest is a union-find forest over 0..n-1 whose roots are the smallest
// element of their set.
type Forest []int32

// Reset makes every element its own set.
func (f Forest) Reset() {
	for i := range f {
		f[i] = int32(i)
	}
}

// Find returns the root of i's set.
func (f Forest) Find(i int32) int32 {
	for f[i] != i {
		f[i] = f[f[i]]
		i = f[i]
	}
	return i
}

// Union joins the sets of a and b under the smaller root.
func (f Forest) Union(a, b int32) {
	if a, b = f.Find(a), f.Find(b); a != b {
		f[max(a, b)] = min(a, b)
	}
}
