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
func findLetterLines(g, half gocv.Mat, minH int) []region {
	var out []region
	fx, fy := float64(g.Cols())/float64(half.Cols()), float64(g.Rows())/float64(half.Rows())
	maxH := half.Rows() / 4
	bin := gocv.NewMat()
	defer bin.Close()
	for _, light := range []bool{false, true} {
		if light {
			gocv.AdaptiveThreshold(half, &bin, 255, gocv.AdaptiveThresholdMean, gocv.ThresholdBinary, 15, -12)
		} else {
			gocv.AdaptiveThreshold(half, &bin, 255, gocv.AdaptiveThresholdMean, gocv.ThresholdBinaryInv, 15, 12)
		}
		for _, r := range letterRows(bin, max(4, minH/2), maxH) {
			r = image.Rect(int(float64(r.Min.X)*fx), int(float64(r.Min.Y)*fy),
				int(float64(r.Max.X)*fx+0.5), int(float64(r.Max.Y)*fy+0.5))
			if s, l, lr := letterScore(g, r); s > 0 {
				rg := region{r: lr, score: s}
				if l {
					rg.light = s
				}
				out = append(out, rg)
			}
		}
	}
	return out
}

type blob struct{ x, y, w, h int }

// letterRows returns the boxes of rows of at least three letter-sized
// components of bin.
func letterRows(bin gocv.Mat, minH, maxH int) []image.Rectangle {
	cs, _ := components(bin, false)
	W, H := bin.Cols(), bin.Rows()
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
	rows := map[int]image.Rectangle{}
	count := map[int]int{}
	for i, b := range bs {
		r := find(i)
		rows[r] = rows[r].Union(image.Rect(b.x, b.y, b.x+b.w, b.y+b.h))
		count[r]++
	}
	var out []image.Rectangle
	for r, box := range rows {
		if count[r] >= 3 {
			out = append(out, box)
		}
	}
	slices.SortFunc(out, func(a, b image.Rectangle) int {
		if a.Min.Y != b.Min.Y {
			return a.Min.Y - b.Min.Y
		}
		return a.Min.X - b.Min.X
	})
	return out
}
