package logo

import "testing"

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
	on := DefaultConfig()
	off := on
	off.MidCutLarge = false
	over, under := midCutPlacements(t, []string{"samsung", "sony", "starbucks", "cocacola"},
		[]float64{90, 150}, []int{0, 2}, on, off, midCutLargeGains, 0.02)
	t.Logf("over the midpoint: cut midway at every size %d, small only %d", over, under)
	if over < under+midCutLargeMinGain {
		t.Errorf("over the midpoint: cut midway at every size %d, small only %d: want %d more", over, under, midCutLargeMinGain)
	}
}
