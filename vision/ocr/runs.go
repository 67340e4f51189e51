//go:build cgo

package ocr

import (
	"bytes"
	"encoding/binary"
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
	// vertical runs: row after row, each column's open run counted;
	// active mirrors run > 0 so that eight columns with neither a set
	// pixel nor an open run are passed over in one test
	run := make([]int32, w)
	active := make([]byte, w+8)
	end := func(x, y int) { // the run of column x ends above row y
		if s := y - int(run[x]); long(s, y, h) {
			for yy := s; yy < y; yy++ {
				pix[yy*w+x] = 0
			}
		}
		run[x] = 0
		active[x] = 0
	}
	for y := 0; y < h; y++ {
		row := pix[y*w : (y+1)*w]
		x := 0
		for ; x+8 <= w; x += 8 {
			if binary.LittleEndian.Uint64(row[x:]) == 0 && binary.LittleEndian.Uint64(active[x:]) == 0 {
				continue
			}
			for i := x; i < x+8; i++ {
				if row[i] != 0 {
					run[i]++
					active[i] = 1
				} else if active[i] != 0 {
					end(i, y)
				}
			}
		}
		for ; x < w; x++ {
			if row[x] != 0 {
				run[x]++
				active[x] = 1
			} else if active[x] != 0 {
				end(x, y)
			}
		}
	}
	for x := 0; x < w; x++ {
		if active[x] != 0 {
			end(x, h)
		}
	}
}
