// Package runs labels connected components of thresholded grey images
// from their runs (maximal horizontal stretches of pixels on one side of a
// threshold) instead of their pixels: on photos there are a few dozen runs
// a row, so cutting a row into runs and linking the runs of consecutive
// rows that touch does a fraction of the work of a pass over the pixels.
// vision/logo (its grey ladder) and vision/ocr (its letter tests) label
// with it; each numbers and measures the components its own way.
package runs

import "image"

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
		row := pix[y*stride+r.Min.X : y*stride+r.Max.X]
		yy := int32(y - r.Min.Y)
		for x := 0; x < len(row); {
			s := x
			if row[x] > t {
				for x < len(row) && row[x] > t {
					x++
				}
				above.Runs = append(above.Runs, Run{int32(s), int32(x), yy})
			} else {
				for x < len(row) && row[x] <= t {
					x++
				}
				below.Runs = append(below.Runs, Run{int32(s), int32(x), yy})
			}
		}
	}
	above.StartRow()
	below.StartRow()
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
