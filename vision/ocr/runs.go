//go:build cgo

package ocr

import (
	"bytes"
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
// the line's anchor, (n+1)/2 pixels.
func dropLongRuns(pix []byte, w, h, n int) {
	edge := (n + 1) / 2
	long := func(start, end, size int) bool {
		l := end - start
		return l >= n || (l >= edge && (start == 0 || end == size))
	}
	// horizontal runs: skip the unset stretches a word at a time
	for y := 0; y < h; y++ {
		row := pix[y*w : (y+1)*w]
		for x := 0; x < w; {
			i := bytes.IndexByte(row[x:], 255)
			if i < 0 {
				break
			}
			s := x + i
			e := bytes.IndexByte(row[s:], 0)
			if e < 0 {
				e = w
			} else {
				e += s
			}
			if long(s, e, w) {
				clear(row[s:e])
			}
			x = e
		}
	}
	dropLongColumns(pix, w, h, n)
}

// dropLongColumns clears, in pix (as in [dropLongRuns]), the vertical runs
// of set pixels at least n long, or (n+1)/2 long where they touch the top
// or the bottom row. It works on 64 columns at a time: with each row's
// pixels packed into bits, "rows y to y+n-1 all set" is the AND of the
// rows shifted by 0 to n-1, built by doubling (a window of 2k rows is two
// windows of k), and "in such a window" the OR of that over the n windows
// that hold a row, built the same way. (n-1)/2 rows set above and below
// the image give the shorter runs at its edges, as OpenCV's erosion does
// with what lies outside the image. It replaces a walk down each column
// counting its open run, which cost more than the rest of the pass
// (BenchmarkDropLongRuns: the whole pass in about 55–65 % of the time).
func dropLongColumns(pix []byte, w, h, n int) {
	words, pad := (w+63)/64, (n-1)/2
	lastWord := ^uint64(0) >> ((64 - w%64) % 64)
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
	for y := range h {
		packRow(set[(y+pad)*words:(y+pad+1)*words], pix[y*w:(y+1)*w])
	}
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

// packRow sets bit x%64 of dst[x/64] for each non-zero byte of src.
func packRow(dst []uint64, src []byte) {
	for k := range dst {
		chunk := src[k*64 : min(len(src), (k+1)*64)]
		var v uint64
		i := 0
		for ; i+8 <= len(chunk); i += 8 {
			if b := binary.LittleEndian.Uint64(chunk[i:]); b != 0 {
				// the top bit of each of the 8 bytes (0 or 255), gathered
				// into one byte, byte j to bit j
				v |= ((b & 0x8080808080808080) * 0x0002040810204081 >> 56) << i
			}
		}
		for ; i < len(chunk); i++ {
			if chunk[i] != 0 {
				v |= 1 << i
			}
		}
		dst[k] = v
	}
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
