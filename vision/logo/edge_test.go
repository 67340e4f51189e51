package logo

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"counterlens/internal/synth"
)

// TestEdgeRatioSeesColourSteps: a coloured mark on a grey panel of nearly
// its grey level (light green on a light grey wall) can be cut from the grey
// raster, where its outline is a step of a few grey levels over JPEG noise,
// while its step of hue is plain on the colour raster. The region here is
// the mark's own pixels on the grey raster (what the grey ladder cuts when
// it holds the mark), on real photos, blurred and JPEG-compressed at 60.
// edgeRatio measures both rasters and must clear Config.EdgeMid; the grey
// raster alone must leave some of them under it, or this test would not
// tell the two apart (the defect: Under Armour 205 px on seed 44, grey
// ratio 2.98, colour 9.9).
func TestEdgeRatioSeesColourSteps(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scenes := loadDir(t, "testdata/scenes")
	cfg := DefaultConfig()
	// hues are colour offsets from grey; each mark gets its hue at a grey
	// level 4 over the grey panel it is printed on (a panel of the photo's
	// mean grey under it).
	hues := []struct {
		name string
		off  [3]float64
	}{{"green", [3]float64{-45, 40, -70}}, {"pink", [3]float64{60, -40, 25}}, {"cyan", [3]float64{-60, 20, 40}}}
	spots := []struct {
		scene  string
		cx, cy float64
	}{{"building", 320, 240}, {"home", 300, 220}, {"smarties", 250, 200}}
	var greyUnder int
	for _, brand := range []string{"underarmour", "nike", "puma", "apple", "jbl"} {
		for i, hu := range hues {
			for j, sp := range spots {
				t.Run(fmt.Sprintf("%s/%s/%s", brand, hu.name, sp.scene), func(t *testing.T) {
					bg := toRGBA(scenes[sp.scene])
					m := meanLuma(bg, image.Rect(int(sp.cx)-90, int(sp.cy)-90, int(sp.cx)+90, int(sp.cy)+90))
					panel := nearGrey([3]float64{}, m)
					p := synth.Placement{Long: 180, Angle: 12, Persp: 0.03, CX: sp.cx, CY: sp.cy, FG: nearGrey(hu.off, m+4), Patch: &panel}
					synth.Composite(bg, synth.MarkAlpha(marks[brand]), p, rand.New(rand.NewPCG(uint64(i), uint64(j))))
					// The same placement (same jitter) in white on black
					// is the mark's mask.
					ink := image.NewRGBA(bg.Bounds())
					p.FG, p.Patch = color.RGBA{255, 255, 255, 255}, nil
					box := synth.Composite(ink, synth.MarkAlpha(marks[brand]), p, rand.New(rand.NewPCG(uint64(i), uint64(j))))
					img := degrade(t, bg, 1, 2, 60, rand.New(rand.NewPCG(uint64(i), uint64(j))))
					g, scale := toGray(img, cfg.MaxSide, false)
					if scale != 1 {
						t.Fatalf("scene scaled by %.2f: the mask would not sit on the mark", scale)
					}
					_, col, err := photoCandidates(context.Background(), img, g, scale, cfg)
					if err != nil {
						t.Fatal(err)
					}
					c := &candidate{src: box, mask: make([]uint8, box.Dx()*box.Dy())}
					for y := range box.Dy() {
						for x := range box.Dx() {
							if ink.RGBAAt(x+box.Min.X, y+box.Min.Y).R >= 128 {
								c.mask[y*box.Dx()+x] = 1
							}
						}
					}
					grey := measureEdge(c, g.pix, g.w, g.h, 1, edgeRing).ratio()
					r := edgeRatio(c, g, col)
					t.Logf("grey raster %.2f, both %.2f", grey, r)
					if grey < cfg.EdgeMid {
						greyUnder++
					}
					if r < cfg.EdgeMid {
						t.Errorf("edge ratio of the mark %.2f, want at least %.2f", r, cfg.EdgeMid)
					}
				})
			}
		}
	}
	t.Logf("%d marks under EdgeMid on the grey raster alone", greyUnder)
	if greyUnder == 0 {
		t.Error("every mark clears EdgeMid on the grey raster alone: the test does not tell the rasters apart")
	}
}

// meanLuma is the mean grey level (BT.601) of img over r.
func meanLuma(img *image.RGBA, r image.Rectangle) float64 {
	r = r.Intersect(img.Bounds())
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			sum += 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
		}
	}
	return sum / float64(max(1, r.Dx()*r.Dy()))
}

// nearGrey is the colour off from grey by off whose grey level is about l.
func nearGrey(off [3]float64, l float64) color.RGBA {
	d := l - (0.299*off[0] + 0.587*off[1] + 0.114*off[2])
	ch := func(v float64) uint8 { return uint8(min(255, max(0, v+d))) }
	return color.RGBA{ch(off[0]), ch(off[1]), ch(off[2]), 255}
}
