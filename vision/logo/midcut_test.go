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

// midCutLooks are the colourings of TestMidCutSeparatesSmallLetters: a
// mark and the patch under it.
var midCutLooks = []struct{ fg, patch color.RGBA }{
	{color.RGBA{0, 0, 0, 255}, color.RGBA{255, 255, 255, 255}},
	{color.RGBA{120, 120, 120, 255}, color.RGBA{230, 230, 230, 255}},
	{color.RGBA{250, 250, 250, 255}, color.RGBA{40, 40, 90, 255}},
	{color.RGBA{200, 30, 30, 255}, color.RGBA{240, 240, 240, 255}},
}

// midCutScore composites mark long px wide into the home photo (12°,
// slight perspective) in look li, box-blurred over 3x3 pixels when blur
// is set, JPEG 70, and returns the best score against p of the regions
// over it (box IoU at least 0.6) cut with cfg.
func midCutScore(t *testing.T, scene, mark image.Image, p *prepared, long float64, li, blur int, cfg Config) float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(long)+uint64(li)*7, 3))
	bg := toRGBA(scene)
	lk := midCutLooks[li]
	gt := synth.Composite(bg, synth.MarkAlpha(mark), synth.Placement{Long: long, Angle: 12, Persp: 0.03, CX: 300, CY: 220, FG: lk.fg, Patch: &lk.patch}, rng)
	img := degrade(t, bg, blur, 2, 70, rng)
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, best := bestRegionOver(cands, scale, gt, 0.6, p, cfg)
	return best
}

// midCutGains are placements of TestMidCutSeparatesSmallLetters that the
// mid cut lifts from under the small-region midpoint (fitMid with no null
// level) to over it by 0.02 or more on both sides. Of its 96 placements
// 60 cleared the midpoint cut midway alone and 48 at the ladder's levels
// (16 gained, 4 lost: Samsung at 44 px twice, Sony at 52 px and New
// Balance at 36 px, blurred, whose ladder cuts fitted better); with the
// ladder's cut kept beside the mid cut where their parts differ
// (ladderCutHeld), 63 clear it.
var midCutGains = map[string]bool{
	"thenorthface/36px/look3/blur1": true,
	"thenorthface/44px/look2/blur1": true,
	"newbalance/36px/look2/blur0":   true,
	"newbalance/44px/look3/blur1":   true,
	"newbalance/52px/look2/blur1":   true,
	"sony/44px/look2/blur0":         true,
}

// midCutMinGain is how many more placements of
// TestMidCutSeparatesSmallLetters must clear their midpoint cut midway
// than at the ladder's levels.
const midCutMinGain = 8

// TestMidCutSeparatesSmallLetters: small wordmarks (36-52 px) composited
// on a photo in four colourings, crisp and blurred, clear their midpoint
// more often when their regions are cut midway between ink and ground
// (Config.MidCut) than at the ladder's levels: midCutGains do, and
// midCutMinGain more in all.
func TestMidCutSeparatesSmallLetters(t *testing.T) {
	on := DefaultConfig()
	off := on
	off.MidCut = false
	over, under := midCutPlacements(t, []string{"thenorthface", "newbalance", "samsung", "sony"},
		[]float64{36, 44, 52}, []int{0, 1}, on, off, midCutGains, 0)
	t.Logf("over the midpoint: cut midway %d, at the ladder's levels %d", over, under)
	if over < under+midCutMinGain {
		t.Errorf("over the midpoint: cut midway %d, at the ladder's levels %d: want %d more", over, under, midCutMinGain)
	}
}

// midCutPlacements composites each brand's mark at each length on
// home.jpg in each of midCutLooks, crisp and at each blur, and scores it
// cut with config on and with config off (midCutScore). It fails each
// placement of gains that does not clear its midpoint (fitMid with no null
// level) by margin with on and fall short of it by margin with off, and
// returns how many placements clear their midpoint with each.
func midCutPlacements(t *testing.T, brands []string, longs []float64, blurs []int, on, off Config, gains map[string]bool, margin float64) (overOn, overOff int) {
	t.Helper()
	marks := loadDir(t, "testdata/marks")
	scene := loadImage(t, "testdata/scenes/home.jpg")
	for _, brand := range brands {
		p, err := prepare(Reference{LogoID: brand, BrandID: brand, Image: marks[brand]}, on)
		if err != nil {
			t.Fatal(err)
		}
		for _, long := range longs {
			mid := on.fitMid(0, int(long))
			for li := range midCutLooks {
				for _, blur := range blurs {
					name := fmt.Sprintf("%s/%vpx/look%d/blur%d", brand, long, li, blur)
					with := midCutScore(t, scene, marks[brand], p, long, li, blur, on)
					without := midCutScore(t, scene, marks[brand], p, long, li, blur, off)
					t.Logf("%s: midpoint %.3f, on %.3f, off %.3f", name, mid, with, without)
					if with >= mid {
						overOn++
					}
					if without >= mid {
						overOff++
					}
					if gains[name] && (with < mid+margin || without >= mid-margin) {
						t.Errorf("%s: on %.3f, off %.3f: want over and under %.3f by %.2f", name, with, without, mid, margin)
					}
				}
			}
		}
	}
	return overOn, overOff
}

// ladderCutHeld are placements of TestMidCutSeparatesSmallLetters whose
// ladder's cut cleared the midpoint and whose mid cut alone did not
// (cut midway 0.727, 0.725 and 0.733 against the ladder's 0.771, 0.757
// and 0.760): the two cuts differ in parts there, and ladderRegions keeps
// both (midCutter.parts).
var ladderCutHeld = []struct {
	brand      string
	long       float64
	look, blur int
}{
	{"newbalance", 36, 3, 1},
	{"samsung", 44, 0, 0},
	{"sony", 52, 1, 1},
}

// TestLadderCutKeptBesideMidCut: where the mid cut splits or merges the
// letters the ladder's level cut (a blurred New Balance of 36 px, a crisp
// Samsung of 44, a blurred Sony of 52 composited on a photo), the ladder's
// cut is a region too, and the mark clears its midpoint with MidCut on.
func TestLadderCutKeptBesideMidCut(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scene := loadImage(t, "testdata/scenes/home.jpg")
	cfg := DefaultConfig()
	for _, pl := range ladderCutHeld {
		t.Run(fmt.Sprintf("%s/%vpx/look%d/blur%d", pl.brand, pl.long, pl.look, pl.blur), func(t *testing.T) {
			p, err := prepare(Reference{LogoID: pl.brand, BrandID: pl.brand, Image: marks[pl.brand]}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			mid := cfg.fitMid(0, int(pl.long))
			if s := midCutScore(t, scene, marks[pl.brand], p, pl.long, pl.look, pl.blur, cfg); s < mid {
				t.Errorf("best region %.3f, under the midpoint %.3f", s, mid)
			}
		})
	}
}
