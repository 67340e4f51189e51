//go:build cgo

package ocr

import (
	"image"
	"slices"

	"gocv.io/x/gocv"
)

// findLetterLines finds text lines from the letters up: each polarity of
// half (g at half size, where the thresholds and the labelling cost a
// quarter of full size) is binarised against its local mean, the
// components shaped like letters are chained into rows of similar height
// on a common band, and each row of three or more is kept when
// [letterScore] reads it, at g's full size, as letters on a plain ground.
// It finds what the edge search misses: small text whose edges weld onto
// a busy neighbour, and letters spaced apart ("G U C C I"). Letters down
// to minH/2 half-size pixels still make rows there; on the dev set the
// full-size pass found no line that this one misses.
func findLetterLines(sc *scratch, g grey, half gocv.Mat, minH int) []region {
	var out []region
	fx, fy := float64(g.w)/float64(half.Cols()), float64(g.h)/float64(half.Rows())
	maxH := half.Rows() / 4
	dark, light := gocv.NewMat(), gocv.NewMat()
	defer dark.Close()
	defer light.Close()
	letterThresholds(half, &dark, &light)
	for _, bin := range []gocv.Mat{dark, light} {
		for _, row := range letterRows(sc, bin, max(4, minH/2), maxH) {
			// a row that does not read as letters on a plain ground may
			// have taken in a blob of the photo beside its banner: its
			// pieces between unusually wide gaps are tried on their own
			for _, bs := range append([][]blob{row}, splitRow(row)...) {
				r := blobsBox(bs)
				r = image.Rect(int(float64(r.Min.X)*fx), int(float64(r.Min.Y)*fy),
					int(float64(r.Max.X)*fx+0.5), int(float64(r.Max.Y)*fy+0.5))
				if s, l, lr := letterScore(sc, g, r); s > 0 {
					rg := region{r: lr, score: s}
					if l {
						rg.light = s
					}
					out = append(out, rg)
					break
				}
			}
		}
	}
	return out
}

type blob struct{ x, y, w, h int }

func (b blob) rect() image.Rectangle { return image.Rect(b.x, b.y, b.x+b.w, b.y+b.h) }

func blobsBox(bs []blob) image.Rectangle {
	var r image.Rectangle
	for _, b := range bs {
		r = r.Union(b.rect())
	}
	return r
}

// splitRow cuts a row of blobs (left to right) at its gaps wider than
// twice the row's median gap and than half the letters' median height,
// and returns the pieces of at least three blobs, or nothing when there
// is no such gap. Letters within a word are set at even spacing; a blob
// of the photo just outside a banner sits across the banner's margin
// from the first letter (orange.jpg's "N1KE" at 16 px on dev).
func splitRow(bs []blob) [][]blob {
	if len(bs) < 4 {
		return nil
	}
	gaps := make([]int, len(bs)-1)
	hs := make([]int, len(bs))
	for i, b := range bs {
		hs[i] = b.h
		if i > 0 {
			gaps[i-1] = b.x - (bs[i-1].x + bs[i-1].w)
		}
	}
	sg, sh := slices.Clone(gaps), slices.Clone(hs)
	slices.Sort(sg)
	slices.Sort(sh)
	wide := max(2*max(1, sg[len(sg)/2]), sh[len(sh)/2]/2)
	var out [][]blob
	start := 0
	for i, g := range gaps {
		if g > wide {
			if i+1-start >= 3 {
				out = append(out, bs[start:i+1])
			}
			start = i + 1
		}
	}
	if start == 0 {
		return nil
	}
	if len(bs)-start >= 3 {
		out = append(out, bs[start:])
	}
	return out
}

// letterRows returns the rows of at least three letter-sized components
// of bin, each left to right.
func letterRows(sc *scratch, bin gocv.Mat, minH, maxH int) [][]blob {
	W, H := bin.Cols(), bin.Rows()
	sc.set.Reset()
	appendLevelRuns(&sc.set, matBytes(bin), W, H, 255)
	cs, _ := sc.label(&sc.set, true)
	var bs []blob
	for _, c := range cs {
		x, y, w, h, a := c.x, c.y, c.w, c.h, c.area
		if h < minH || h > maxH || w > h*6 || w*4 < h/2 || a*100 < w*h*15 || c.touches(W, H) {
			continue
		}
		bs = append(bs, blob{x, y, w, h})
	}
	slices.SortFunc(bs, func(a, b blob) int { return a.x - b.x })
	parent := make([]int, len(bs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, a := range bs {
		// the nearest compatible neighbour to the right
		best, bestGap := -1, 1<<30
		for j := i + 1; j < len(bs); j++ {
			b := bs[j]
			if b.x > a.x+a.w+a.h*3/2 {
				break
			}
			gap := b.x - (a.x + a.w)
			if gap < -a.w/4 || gap > max(a.h, b.h)*6/5 || max(a.h, b.h)*10 > min(a.h, b.h)*16 {
				continue
			}
			ov := min(a.y+a.h, b.y+b.h) - max(a.y, b.y)
			if ov*10 < min(a.h, b.h)*7 {
				continue
			}
			if gap < bestGap {
				best, bestGap = j, gap
			}
		}
		if best >= 0 {
			parent[find(best)] = find(i)
		}
	}
	rows := map[int][]blob{}
	for i, b := range bs { // bs is sorted by x, and so is each row
		r := find(i)
		rows[r] = append(rows[r], b)
	}
	var out [][]blob
	for _, row := range rows {
		if len(row) >= 3 {
			out = append(out, row)
		}
	}
	slices.SortFunc(out, func(a, b []blob) int {
		ra, rb := blobsBox(a), blobsBox(b)
		if ra.Min.Y != rb.Min.Y {
			return ra.Min.Y - rb.Min.Y
		}
		return ra.Min.X - rb.Min.X
	})
	return out
}
