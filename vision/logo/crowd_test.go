package logo

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"counterlens/internal/synth"
)

// bittenDisc is a disc of radius 95 with a round bite of radius bite out
// of its rim.
func bittenDisc(bite float64) image.Image {
	const n = 200
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	bx, by := 99.5+90.0, 99.5
	for y := range n {
		for x := range n {
			fx, fy := float64(x), float64(y)
			if math.Hypot(fx-99.5, fy-99.5) < 95 && math.Hypot(fx-bx, fy-by) > bite {
				img.Set(x, y, color.NRGBA{0, 0, 0, 255})
			}
		}
	}
	return img
}

// TestCrowdSeparatesMarksFromFieldFits registers the swoosh beside five
// marks that are the same disc with bites of other sizes (five brands such
// a disc fits about equally), draws the swoosh and a disc with a bite of
// yet another size into a photo, and checks the crowd on both regions' best
// matches: the swoosh leads the third of the field by crowdReach or more
// (the learned decision's crowd feature at its top), the disc's winner by
// less than half that.
func TestCrowdSeparatesMarksFromFieldFits(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	refs := []Reference{{LogoID: "nike", BrandID: "nike", Image: marks["nike"]}}
	for i := range 5 {
		id := fmt.Sprintf("bite%d", i)
		refs = append(refs, Reference{LogoID: id, BrandID: id, Image: bittenDisc(float64(36 + 6*i))})
	}
	d := newTestDetector(t, refs)
	cfg := d.cfg
	disc := bittenDisc(47)
	rng := rand.New(rand.NewPCG(5, 6))
	scene := toRGBA(loadDir(t, "testdata/scenes")["home"])
	nikeBox := synth.Composite(scene, synth.MarkAlpha(marks["nike"]), synth.Placement{Long: 150, CX: 200, CY: 200, FG: black, Patch: &white}, rng)
	discBox := synth.Composite(scene, synth.MarkAlpha(disc), synth.Placement{Long: 120, CX: 470, CY: 260, FG: black, Patch: &white}, rng)
	img := degrade(t, scene, 0, 2, 80, rng)

	g, scale := toGray(img, cfg.MaxSide, false)
	cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	set := d.refs.Load()
	toPhoto := func(r image.Rectangle) image.Rectangle {
		return image.Rect(int(float64(r.Min.X)/scale), int(float64(r.Min.Y)/scale), int(float64(r.Max.X)/scale), int(float64(r.Max.Y)/scale))
	}
	// best is the highest-scoring match whose region covers box.
	best := func(box image.Rectangle) (shapeMatch, bool) {
		var out shapeMatch
		for _, m := range matchShapes(cands, set.flat, cfg) {
			if boxOverlap(toPhoto(m.cand.box), box) >= 0.5 && m.score > out.score {
				out = m
			}
		}
		return out, out.ref != nil
	}
	m, ok := best(nikeBox)
	if !ok || m.ref.logoID != "nike" {
		t.Fatalf("no swoosh match at %v", nikeBox)
	}
	if crowd := cfg.crowdScore(m, set.flat); m.score-crowd < crowdReach {
		t.Errorf("swoosh: score %.3f, crowd %.3f: lead under %.2f", m.score, crowd, crowdReach)
	}
	m, ok = best(discBox)
	if !ok {
		t.Fatalf("no match at the disc %v", discBox)
	}
	crowd := cfg.crowdScore(m, set.flat)
	if crowd == 0 || crowd > m.score {
		t.Fatalf("disc: crowd %.3f with winner %s at %.3f, want the third other bitten disc's score", crowd, m.ref.logoID, m.score)
	}
	if m.score-crowd >= crowdReach/2 {
		t.Errorf("disc: winner %s %.3f, third of the field %.3f: lead %.3f, want under %.3f", m.ref.logoID, m.score, crowd, m.score-crowd, crowdReach/2)
	} else {
		t.Logf("disc: winner %s %.3f leads the third of the field by %.3f", m.ref.logoID, m.score, m.score-crowd)
	}
}
