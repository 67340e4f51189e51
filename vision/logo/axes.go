package logo

import (
	"encoding/binary"
	"math"
)

// This file holds rasterizeLinear for a map that only scales each axis
// (A[1] and A[2] zero): a region's own view, at angle 0, which every
// region gets. A cell's column then follows from a pixel's column alone
// and its row from the pixel's row alone, so both are worked out once a
// column and once a row instead of once a pixel, and the cells no pixel
// fell into are read from a column and a row of the mask fixed the same
// way. The sums are the ones rasterizeLinear and castCells form: their
// off-axis terms are zeros, and adding a zero changes no sum but a zero
// (a signed one, which the next addition of a non-zero makes the same),
// so the grid is the same bit for bit (TestRasterKernelsMatchDefinition).

// rasterizeAxes is rasterizeLinear for A with A[1] == A[2] == 0.
func rasterizeAxes(m maskSource, mo moments, A [4]float64) bitgrid {
	var on, tot [gridN * gridN]uint16
	half := float64(gridN) / 2
	det := A[0]*A[3] - A[1]*A[2]
	fine := math.Sqrt(math.Abs(det)) / cellSize
	sampled := false
	if fine < 1 {
		sampled = true
		step := max(1, int(1/fine/3))
		a0, a3 := A[0]/cellSize, A[3]/cellSize
		// cellCol[c] is the grid column of sampled column c, -1 off the grid.
		nc := (m.w + step - 1) / step
		var colBuf [256]int8
		var cellCol []int8
		if nc <= len(colBuf) {
			cellCol = colBuf[:nc]
		} else {
			cellCol = make([]int8, nc)
		}
		// colN[k] is how many sampled columns fall into grid column k, and
		// the columns on the grid are the run cLo..cHi-1 (u is monotone
		// in c, as in gridSpan).
		var colN [gridN]uint16
		cLo, cHi := nc, 0
		for c := range nc {
			u := a0*(float64(c*step)+0.5-mo.cx) + half
			cellCol[c] = -1
			if u >= 0 && u < gridN {
				cellCol[c] = int8(u)
				colN[int8(u)]++
				cLo, cHi = min(cLo, c), max(cHi, c+1)
			}
		}
		// A cell's samples are its sampled rows times its sampled columns,
		// so tot is a product, not a count a pixel; only the pixels on
		// are counted one by one, and a word of eight unsampled-off
		// pixels (step 1) is passed with one test.
		var rowN [gridN]uint16
		for y := 0; y < m.h; y += step {
			v := a3*(float64(y)+0.5-mo.cy) + half
			if v < 0 || v >= gridN {
				continue
			}
			rowN[int(v)]++
			ons := on[int(v)*gridN : int(v)*gridN+gridN]
			row := m.pix[y*m.w : (y+1)*m.w]
			c := cLo
			if step == 1 {
				for ; c+8 <= cHi; c += 8 {
					if binary.LittleEndian.Uint64(row[c:]) == 0 {
						continue
					}
					for j, k := range cellCol[c : c+8] {
						if row[c+j] != 0 {
							ons[k]++
						}
					}
				}
			}
			for ; c < cHi; c++ {
				if row[c*step] != 0 {
					ons[cellCol[c]]++
				}
			}
		}
		for r, rn := range rowN {
			if rn == 0 {
				continue
			}
			tots := tot[r*gridN : r*gridN+gridN]
			for k, cn := range colN {
				tots[k] = rn * cn
			}
		}
	}
	// The cells no pixel fell into: the pixel under their centre.
	i0, i3 := A[3]/det*cellSize, A[0]/det*cellSize
	var srcCol [gridN]int
	for cx := range gridN {
		sx := i0*(float64(cx)+0.5-half) + mo.cx
		srcCol[cx] = -1
		if sx >= 0 && sx < float64(m.w) {
			srcCol[cx] = int(sx)
		}
	}
	var g bitgrid
	for cy := range gridN {
		sy := i3*(float64(cy)+0.5-half) + mo.cy
		var row uint64
		ons, tots := on[cy*gridN:(cy+1)*gridN], tot[cy*gridN:(cy+1)*gridN]
		inside := sy >= 0 && sy < float64(m.h)
		var pix []uint8
		if inside {
			pix = m.pix[int(sy)*m.w : (int(sy)+1)*m.w]
		}
		for cx := range gridN {
			if sampled {
				if t := tots[cx]; t > 0 {
					if n := ons[cx]; 2*n >= t && n > 0 {
						row |= 1 << uint(cx)
					}
					continue
				}
			}
			if inside && srcCol[cx] >= 0 && pix[srcCol[cx]] != 0 {
				row |= 1 << uint(cx)
			}
		}
		g[cy] = row
	}
	return g
}
