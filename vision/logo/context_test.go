package logo

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"counterlens/internal/synth"
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

// TestContextDropsPartsOfLargerFigures: a registered mark printed alone on
// a white panel is found; the same print set in a larger figure of its own
// ink is not reported: a wordmark (Sony, Fila) in a line of letters of its
// height, a pictorial mark (Puma, Apple) in a row of discs of its size. The
// look-alike false alarms at 1,000 references are such parts (two letters
// of a line, four squares of a chessboard). Each figure's mark is reported
// by the detector without the check (FigureParts 0), logged beside it, so
// the test fails without the check.
func TestContextDropsPartsOfLargerFigures(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scenes := loadDir(t, "testdata/scenes")
	// The hand decision's gate (the learned decision weighs the figure as
	// evidence, see TestLearnedDecisionRanksMarkOverPartOfFigure).
	onCfg, offCfg := DefaultConfig(), DefaultConfig()
	onCfg.LearnedDecision, offCfg.LearnedDecision = false, false
	onCfg.FigureParts, offCfg.FigureParts = 1, 0
	d, off := newConfiguredDetector(t, onCfg, refsFrom(marks)), newConfiguredDetector(t, offCfg, refsFrom(marks))
	ink := image.NewUniform(black)
	// figures are what the mark is set in, around its box: letters of its
	// height in a line, and a row of discs of its size.
	figures := map[string]func(dst *image.RGBA, box image.Rectangle){
		"line of letters": func(dst *image.RGBA, box image.Rectangle) {
			capH := float64(box.Dy())
			gap := int(0.25 * capH)
			drawText(t, dst, "AR", capH, box.Min.X-gap, box.Max.Y, true, ink)
			drawText(t, dst, "ED", capH, box.Max.X+gap, box.Max.Y, false, ink)
		},
		"row of discs": func(dst *image.RGBA, box image.Rectangle) {
			L := float64(max(box.Dx(), box.Dy()))
			r := 0.4 * float64(min(box.Dx(), box.Dy()))
			cy := float64(box.Min.Y+box.Max.Y) / 2
			fillDisc(dst, float64(box.Min.X)-0.1*L-r, cy, r, black)
			fillDisc(dst, float64(box.Max.X)+0.1*L+r, cy, r, black)
		},
	}
	cases := []struct {
		brand string
		long  float64
		fig   string
	}{
		{"sony", 160, "line of letters"}, {"sony", 240, "line of letters"},
		{"fila", 160, "line of letters"}, {"fila", 240, "line of letters"},
		{"puma", 100, "row of discs"}, {"puma", 150, "row of discs"},
		{"apple", 100, "row of discs"}, {"apple", 150, "row of discs"},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s/%.0fpx", tc.brand, tc.long)
		// print draws the mark on a wide white panel and returns the
		// picture and the mark's box; around adds what it is set in.
		print := func(around func(dst *image.RGBA, box image.Rectangle)) (image.Image, image.Rectangle) {
			rng := rand.New(rand.NewPCG(uint64(tc.long), 5))
			bg := toRGBA(scenes["home"])
			draw.Draw(bg, image.Rect(10, 110, 630, 370), image.NewUniform(white), image.Point{}, draw.Src)
			gt := synth.Composite(bg, synth.MarkAlpha(marks[tc.brand]), synth.Placement{Long: tc.long, CX: 320, CY: 240, FG: black}, rng)
			if around != nil {
				around(bg, gt)
			}
			return degrade(t, bg, 1, 2, 80, rng), gt
		}
		t.Run(name+"/alone", func(t *testing.T) {
			img, gt := print(nil)
			wantOnly(t, d, img, tc.brand, gt)
		})
		t.Run(name+"/"+tc.fig, func(t *testing.T) {
			img, gt := print(figures[tc.fig])
			for _, det := range detect(t, off, img) {
				t.Logf("without the check: %s %.3f at %v (mark at %v)", det.BrandID, det.Confidence, det.Box, gt)
			}
			for _, det := range detect(t, d, img) {
				if det.BrandID == tc.brand && boxIoU(det.Box, gt) >= 0.5 {
					t.Errorf("%s in a %s reported at %.3f (parts %d, outside %d)", tc.brand, tc.fig, det.Confidence, det.figure.parts, det.figure.outside)
				}
			}
		})
	}
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
