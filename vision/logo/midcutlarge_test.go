package logo

import (
	"fmt"
	"testing"
)

// midCutLargeGains are placements of TestMidCutLargeMarks that the mid
// cut at every size lifts from under the midpoint to over it by 0.02 or
// more on both sides. Of its 64 placements 60 clear the midpoint with
// MidCutLarge and 53 without (8 gained, 1 lost: Samsung at 90 px on white,
// blurred over 5x5, 0.730 → 0.689). Three of the gains scored 0 at the
// ladder's levels: no region over the mark there passed scoreRef's gates.
var midCutLargeGains = map[string]bool{
	"samsung/150px/look0/blur0":  true,
	"sony/90px/look1/blur0":      true,
	"sony/150px/look2/blur0":     true,
	"cocacola/150px/look2/blur0": true,
	"cocacola/150px/look2/blur2": true,
}

// midCutLargeMinGain is how many more placements of TestMidCutLargeMarks
// must clear their midpoint with MidCutLarge than without.
const midCutLargeMinGain = 5

// TestMidCutLargeMarks: marks of 90 and 150 px (wordmarks and emblems)
// composited on a photo in four colourings, crisp and blurred over 5x5,
// clear their midpoint more often when the ladders' regions of every size
// are cut midway between ink and ground (Config.MidCutLarge) than when
// only small ones are: midCutLargeGains do, and midCutLargeMinGain more in
// all.
func TestMidCutLargeMarks(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scene := loadImage(t, "testdata/scenes/home.jpg")
	on := DefaultConfig()
	off := on
	off.MidCutLarge = false
	over := [2]int{}
	for _, brand := range []string{"samsung", "sony", "starbucks", "cocacola"} {
		p, err := prepare(Reference{LogoID: brand, BrandID: brand, Image: marks[brand]}, on)
		if err != nil {
			t.Fatal(err)
		}
		for _, long := range []float64{90, 150} {
			mid := on.fitMid(0, int(long))
			for li := range midCutLooks {
				for _, blur := range []int{0, 2} {
					name := fmt.Sprintf("%s/%vpx/look%d/blur%d", brand, long, li, blur)
					with := midCutScore(t, scene, marks[brand], p, long, li, blur, on)
					without := midCutScore(t, scene, marks[brand], p, long, li, blur, off)
					t.Logf("%s: midpoint %.3f, cut midway at every size %.3f, small only %.3f", name, mid, with, without)
					if with >= mid {
						over[0]++
					}
					if without >= mid {
						over[1]++
					}
					if midCutLargeGains[name] && (with < mid+0.02 || without >= mid-0.02) {
						t.Errorf("%s: cut midway at every size %.3f, small only %.3f: want over and under %.3f by 0.02", name, with, without, mid)
					}
				}
			}
		}
	}
	t.Logf("over the midpoint: cut midway at every size %d, small only %d", over[0], over[1])
	if over[0] < over[1]+midCutLargeMinGain {
		t.Errorf("over the midpoint: cut midway at every size %d, small only %d: want %d more", over[0], over[1], midCutLargeMinGain)
	}
}
