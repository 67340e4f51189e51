package logo

import (
	"image"
	"image/color"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// drawText writes text in colour fg with its cap height about capH pixels
// and its left end at x (right end at x when right is set), its baseline at
// y.
func drawText(t *testing.T, dst *image.RGBA, text string, capH float64, x, y int, right bool, fg image.Image) {
	t.Helper()
	f, err := opentype.Parse(gobold.TTF)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: capH / 0.72, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	if right {
		x -= font.MeasureString(face, text).Ceil()
	}
	d := font.Drawer{Dst: dst, Src: fg, Face: face, Dot: fixed.P(x, y)}
	d.DrawString(text)
}

// fillDisc paints a disc of radius r centred at (cx, cy).
func fillDisc(dst *image.RGBA, cx, cy, r float64, c color.RGBA) {
	for y := int(cy - r); y <= int(cy+r)+1; y++ {
		for x := int(cx - r); x <= int(cx+r)+1; x++ {
			if dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy; dx*dx+dy*dy <= r*r {
				dst.SetRGBA(x, y, c)
			}
		}
	}
}
