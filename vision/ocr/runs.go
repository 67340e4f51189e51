//go:build cgo

package ocr

import (
	"encoding/binary"
	"math/bits"
	"sync"
)

// dropLongRuns clears, in pix (a w×h binary image, 0 or 255, row after
// row), the horizontal runs of set pixels at least n long, then, in what is
// left, the vertical ones: the long straight edges of a banner's outline,
// shelves or frames. n must be odd.
//
// It gives what an opening with an n×1 and then a 1×n rectangle,
// each subtracted from the image, gives with OpenCV's default borders, at
// a fraction of the cost (the vertical opening alone was the search's
// dearest morphology): an opening with a line keeps exactly the runs that
// hold one whole line, and since OpenCV's erosion takes what lies outside
// the image as set, a run touching the image's edge needs only reach past
// the line's anchor, (n+1)/2 pixels. Both passes read the rows packed
// into bits, 64 pixels a word ([packRow]): the horizontal one finds its runs a word
// at a time instead of a byte at a time (BenchmarkDropLongRuns under
// callgrind: 143 M instructions with bytes.IndexByte, 126 M with bits).
func dropLongRuns(pix []byte, w, h, n int) {
	words, pad := (w+63)/64, (n-1)/2
	rows := h + 2*pad
	buf := columnBufs.Get().(*[]uint64)
	defer columnBufs.Put(buf)
	size := rows * words
	if cap(*buf) < 3*size {
		*buf = make([]uint64, 3*size)
	}
	b := (*buf)[:3*size]
	set, win, tmp := b[:size], b[size:2*size], b[2*size:]
	for i := range pad * words {
		set[i] = ^uint64(0)
		set[size-1-i] = ^uint64(0)
	}
	// horizontal runs, found in each row's bits and cleared in its bytes
	// and bits; a run touching the left or right edge needs only (n+1)/2
	edge := (n + 1) / 2
	for y := range h {
		bs, row := set[(y+pad)*words:(y+pad+1)*words], pix[y*w:(y+1)*w]
		packRow(bs, row)
		for x := 0; x < w; {
			s := nextBit(bs, x, w, true)
			if s == w {
				break
			}
			e := nextBit(bs, s, w, false)
			if l := e - s; l >= n || l >= edge && (s == 0 || e == w) {
				clear(row[s:e])
				clearBits(bs, s, e)
			}
			x = e
		}
	}
	dropLongColumns(pix, set, win, tmp, w, h, n)
}

// nextBit returns the first x' >= x under w whose bit in bs is set (one)
// or unset (!one), or w.
func nextBit(bs []uint64, x, w int, one bool) int {
	for k := x / 64; k < len(bs); k++ {
		v := bs[k]
		if !one {
			v = ^v
		}
		if k == x/64 {
			v &= ^uint64(0) << (x % 64)
		}
		if v != 0 {
			return min(w, k*64+bits.TrailingZeros64(v))
		}
	}
	return w
}

// clearBits unsets bits s to e-1 of bs.
func clearBits(bs []uint64, s, e int) {
	for x := s; x < e; {
		k, o := x/64, x%64
		l := min(e-x, 64-o)
		bs[k] &^= (^uint64(0) >> (64 - l)) << o
		x += l
	}
}

// dropLongColumns clears, in pix (as in [dropLongRuns]), the vertical runs
// of set pixels at least n long, or (n+1)/2 long where they touch the top
// or the bottom row. set holds (n-1)/2 rows all set, then pix's rows packed
// into bits, 64 columns a word, then (n-1)/2 rows all set again; win and tmp
// are scratch of its size. "Rows y to y+n-1 all set" is the AND of the
// rows shifted by 0 to n-1, built by doubling (a window of 2k rows is two
// windows of k), and "in such a window" the OR of that over the n windows
// that hold a row, built the same way; the rows set above and below the
// image give the shorter runs at its edges, as OpenCV's erosion does with
// what lies outside the image. It replaces a walk down each column
// counting its open run (BenchmarkDropLongRuns under callgrind: the whole
// pass 178 M instructions with that walk, 143 M with this).
func dropLongColumns(pix []byte, set, win, tmp []uint64, w, h, n int) {
	words, pad := (w+63)/64, (n-1)/2
	lastWord := ^uint64(0) >> ((64 - w%64) % 64)
	rows := h + 2*pad
	// win(y): rows y … y+n-1 all set (0 where that passes the last row)
	windowAnd(win, set, tmp, rows, words, n)
	// tmp(y): row y lies in such a window
	windowOr(tmp, win, rows, words, n)
	for y := range h {
		m := tmp[(y+pad)*words : (y+pad+1)*words]
		row := pix[y*w : (y+1)*w]
		m[words-1] &= lastWord // bits past w: none are set, kept so
		for k, v := range m {
			for v != 0 {
				row[k*64+bits.TrailingZeros64(v)] = 0
				v &= v - 1
			}
		}
	}
}

// columnBufs keeps dropLongColumns' bit planes between calls.
var columnBufs = sync.Pool{New: func() any { return new([]uint64) }}

// packRow sets bit x%64 of dst[x/64] for each non-zero byte of src, a
// row of a binary image (0 or 255). A whole word of 64 pixels is eight
// loads of 8 bytes, each gathered into one byte with no branch and no
// bounds check: over the photos without text (callgrind) 26.1 M
// instructions, against 68.5 M for a loop that tested each 8 bytes for
// zero and sliced the row at each load.
func packRow(dst []uint64, src []byte) {
	full := min(len(dst), len(src)/64)
	for k := range full {
		ch := (*[64]byte)(src[k*64 : k*64+64])
		dst[k] = gather8(ch[0:8]) | gather8(ch[8:16])<<8 | gather8(ch[16:24])<<16 | gather8(ch[24:32])<<24 |
			gather8(ch[32:40])<<32 | gather8(ch[40:48])<<40 | gather8(ch[48:56])<<48 | gather8(ch[56:64])<<56
	}
	for k := full; k < len(dst); k++ {
		var v uint64
		for i, p := range src[k*64 : min(len(src), (k+1)*64)] {
			if p != 0 {
				v |= 1 << i
			}
		}
		dst[k] = v
	}
}

// gather8 is the top bit of each of the 8 bytes of b (0 or 255), byte j
// to bit j.
func gather8(b []byte) uint64 {
	return (binary.LittleEndian.Uint64(b) & 0x8080808080808080) * 0x0002040810204081 >> 56
}

// windowAnd sets dst(y), for each of the rows rows of words words, to the
// AND of src(y) … src(y+n-1), or 0 where y+n-1 passes the last row. tmp is
// scratch of dst's size; src is left as it was.
func windowAnd(dst, src, tmp []uint64, rows, words, n int) {
	// dst holds the window of acc rows built so far, tmp that of pow rows
	copy(tmp, src)
	acc, pow := 0, 1
	for {
		if n&pow != 0 {
			if acc == 0 {
				copy(dst, tmp)
			} else {
				for y := 0; y+acc < rows; y++ {
					d, s := dst[y*words:(y+1)*words], tmp[(y+acc)*words:(y+acc+1)*words]
					for k := range d {
						d[k] &= s[k]
					}
				}
			}
			acc += pow
		}
		if pow*2 > n {
			break
		}
		for y := 0; y+pow < rows; y++ {
			d, s := tmp[y*words:(y+1)*words], tmp[(y+pow)*words:(y+pow+1)*words]
			for k := range d {
				d[k] &= s[k]
			}
		}
		pow *= 2
	}
	clear(dst[max(0, rows-n+1)*words:])
}

// windowOr sets dst(y) to the OR of src(y-n+1) … src(y), rows before the
// first counting as 0. src is changed (it becomes scratch).
func windowOr(dst, src []uint64, rows, words, n int) {
	clear(dst)
	acc, pow := 0, 1
	for {
		if n&pow != 0 {
			for y := rows - 1; y-acc >= 0; y-- {
				d, s := dst[y*words:(y+1)*words], src[(y-acc)*words:(y-acc+1)*words]
				for k := range d {
					d[k] |= s[k]
				}
			}
			acc += pow
		}
		if pow*2 > n {
			break
		}
		for y := rows - 1; y-pow >= 0; y-- {
			d, s := src[y*words:(y+1)*words], src[(y-pow)*words:(y-pow+1)*words]
			for k := range d {
				d[k] |= s[k]
			}
		}
		pow *= 2
	}
}
