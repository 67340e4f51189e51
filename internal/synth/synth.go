// Package synth draws synthetic test pictures for counterlens's generators:
// brand marks warped into photos, text on banners, crops, blur and JPEG.
// It is pure Go (no cgo), deterministic for a given random source, and
// used by the development set (cmd/internal/devset) and the demo generator
// (scripts/gendemo).
package synth

import (
	"errors"
	"image"
	"math"
)

// Pt is a point in picture pixels.
type Pt struct{ X, Y float64 }

// Quad is four corners: top-left, top-right, bottom-right, bottom-left.
type Quad [4]Pt

// At maps (u, v) of the unit square into q bilinearly; u and v may leave
// [0, 1] to reach outside the quad (a bag's handle, a box's lid).
func (q Quad) At(u, v float64) Pt {
	top := Pt{q[0].X + u*(q[1].X-q[0].X), q[0].Y + u*(q[1].Y-q[0].Y)}
	bot := Pt{q[3].X + u*(q[2].X-q[3].X), q[3].Y + u*(q[2].Y-q[3].Y)}
	return Pt{top.X + v*(bot.X-top.X), top.Y + v*(bot.Y-top.Y)}
}

// Bounds returns the pixels q touches, within limit.
func (q Quad) Bounds(limit image.Rectangle) image.Rectangle {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range q {
		minX, minY = math.Min(minX, p.X), math.Min(minY, p.Y)
		maxX, maxY = math.Max(maxX, p.X), math.Max(maxY, p.Y)
	}
	return image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX))+1, int(math.Ceil(maxY))+1).Intersect(limit)
}

// Rect is the quad of the rectangle from (0, 0) to (w, h).
func Rect(w, h float64) Quad { return Quad{{0, 0}, {w, 0}, {w, h}, {0, h}} }

// ErrDegenerate means a quad has three corners on a line (or fewer than
// four distinct ones): no projective map takes it to another.
var ErrDegenerate = errors.New("degenerate quad")

// Homography returns the 3×3 projective map (row-major, h[8] = 1) taking
// the four points from onto the four points to; apply it with [Apply].
func Homography(from, to Quad) ([9]float64, error) {
	var a [8][9]float64
	for i := range 4 {
		x, y, X, Y := from[i].X, from[i].Y, to[i].X, to[i].Y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -X * x, -X * y, X}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -Y * x, -Y * y, Y}
	}
	for col := range 8 { // Gauss-Jordan with partial pivoting
		p := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-12 {
			return [9]float64{}, ErrDegenerate
		}
		a[col], a[p] = a[p], a[col]
		for r := range 8 {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for c := col; c < 9; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	var h [9]float64
	for i := range 8 {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h, nil
}

// Apply maps (x, y) through the homography h.
func Apply(h [9]float64, x, y float64) (float64, float64) {
	z := h[6]*x + h[7]*y + h[8]
	return (h[0]*x + h[1]*y + h[2]) / z, (h[3]*x + h[4]*y + h[5]) / z
}
