package logo

import (
	"math/rand/v2"
	"testing"

	"counterlens/internal/synth"
)

// TestECCTaperedStartReadsWordmarksUnderPerspective: Samsung's wordmark,
// 100-200 px at -25° to 25° with corner jitter 0.08 (its far end up to
// half its near one's height), dark on a light patch on the home photo,
// blurred, JPEG 60 (placements 1-24): started from the matcher's affine
// pose, the grey alignment locked the template's letters on the near
// end's larger ones and read the print (inner correlation 0.8 or more) on
// 8 of the 24; started tapered as the region's best tapered view (see
// matcherTaper), it reads 18. Aligned on other marks' regions under the
// same perspective (Sony's and Fila's wordmarks, placements 1-12), it
// still reads no print (at most 0.22).
func TestECCTaperedStartReadsWordmarksUnderPerspective(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	cfg := DefaultConfig()
	p, err := prepare(Reference{LogoID: "samsung", BrandID: "samsung", Image: marks["samsung"]}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	read := func(brand string, seed uint64) (inner float64, found bool) {
		rng := rand.New(rand.NewPCG(seed, 5))
		long, angle := 100+rng.Float64()*100, -25+rng.Float64()*50
		c, _, g, col := placedRegion(t, synth.MarkAlpha(marks[brand]), p, long, angle, 0.08, seed)
		if c == nil {
			return 0, false
		}
		a, ok := eccScore(c, p, g, col, true, false, nil)
		if !ok || !a.innerOK {
			return -1, true
		}
		return a.inner, true
	}
	const want = 16
	n := 0
	for seed := uint64(1); seed <= 24; seed++ {
		inner, found := read("samsung", seed)
		t.Logf("samsung placement %d: found %v, inner %.3f", seed, found, inner)
		if inner >= 0.8 {
			n++
		}
	}
	if n < want {
		t.Errorf("samsung read its print on %d of 24 placements, want %d or more", n, want)
	}
	for _, brand := range []string{"sony", "fila"} {
		for seed := uint64(1); seed <= 12; seed++ {
			if inner, found := read(brand, seed); found && inner >= 0.5 {
				t.Errorf("samsung on %s (placement %d) reads inner %.3f, want under 0.5", brand, seed, inner)
			}
		}
	}
}
