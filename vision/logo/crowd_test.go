package logo

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
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
	if crowd, _ := crowdOf(cfg, m, set.flat); m.score-crowd < crowdReach {
		t.Errorf("swoosh: score %.3f, crowd %.3f: lead under %.2f", m.score, crowd, crowdReach)
	}
	m, ok = best(discBox)
	if !ok {
		t.Fatalf("no match at the disc %v", discBox)
	}
	crowd, _ := crowdOf(cfg, m, set.flat)
	if crowd == 0 || crowd > m.score {
		t.Fatalf("disc: crowd %.3f with winner %s at %.3f, want the third other bitten disc's score", crowd, m.ref.logoID, m.score)
	}
	if m.score-crowd >= crowdReach/2 {
		t.Errorf("disc: winner %s %.3f, third of the field %.3f: lead %.3f, want under %.3f", m.ref.logoID, m.score, crowd, m.score-crowd, crowdReach/2)
	} else {
		t.Logf("disc: winner %s %.3f leads the third of the field by %.3f", m.ref.logoID, m.score, m.score-crowd)
	}
}

// crowdOf is cfg.crowdScore on match m at its own midpoint.
func crowdOf(cfg Config, m shapeMatch, refs []*prepared) (crowd, rival float64) {
	L := max(m.cand.box.Dx(), m.cand.box.Dy())
	return cfg.crowdScore(m, cfg.fitMid(m.ref.nullMax, L), L, refs)
}

// TestMarginReadsTheRunnerUpOnItsOwnScale: Samsung's wordmark drawn in the
// home photo, registered beside Panasonic's (the runner-up over the lost
// Samsungs at 1,000 references: a wordmark whose chance level, and so its
// midpoint, is higher than Samsung's). The learned decision's margin and
// crowd read Panasonic's score on Samsung's scale (onScale): its raw score
// less the difference of the two midpoints, so the margin exceeds the raw
// one by that difference (unless at its top).
func TestMarginReadsTheRunnerUpOnItsOwnScale(t *testing.T) {
	dir := iconsDir(t)
	panasonic, err := rasterSVG(filepath.Join(dir, "panasonic.svg"))
	if err != nil {
		t.Fatal(err)
	}
	marks := loadDir(t, "testdata/marks")
	refs := []Reference{
		{LogoID: "samsung", BrandID: "samsung", Image: marks["samsung"]},
		{LogoID: "panasonic", BrandID: "panasonic", Image: panasonic},
	}
	d := newTestDetector(t, refs)
	d.decideStudy = true
	cfg := d.cfg
	rng := rand.New(rand.NewPCG(7, 8))
	scene := toRGBA(loadDir(t, "testdata/scenes")["home"])
	box := synth.Composite(scene, synth.MarkAlpha(marks["samsung"]), synth.Placement{Long: 160, CX: 300, CY: 220, Angle: 15, FG: black, Patch: &white}, rng)
	img := degrade(t, scene, 1, 2, 70, rng)

	g, scale := toGray(img, cfg.MaxSide, false)
	cands, col, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	flat := d.refs.Load().flat
	var m shapeMatch
	for _, c := range matchShapes(cands, flat, cfg) {
		if boxIoU(scaleRect(c.cand.box, 1/scale), box) >= 0.5 && c.score > m.score {
			m = c
		}
	}
	if m.ref == nil || m.ref.logoID != "samsung" || m.secondRef == nil {
		t.Fatalf("no samsung match with a runner-up over %v: %+v", box, m)
	}
	L := max(m.cand.box.Dx(), m.cand.box.Dy())
	mid, midP := cfg.fitMid(m.ref.nullMax, L), cfg.fitMid(m.secondRef.nullMax, L)
	if midP <= mid+0.01 {
		t.Fatalf("panasonic's midpoint %.3f, samsung's %.3f: want panasonic's higher (the case this tests)", midP, mid)
	}
	_, rival := cfg.crowdScore(m, mid, L, flat)
	if want := m.second - (midP - mid); math.Abs(rival-want) > 0.01 {
		t.Errorf("rival %.3f, want panasonic's %.3f on samsung's scale (%.3f raw, midpoints %.3f and %.3f)", rival, want, m.second, midP, mid)
	}
	det, ok := d.decideShape(m, m.ref.nullMax, L, cands, g, col, flat)
	if !ok {
		t.Fatal("the study decision dropped the match")
	}
	raw := clampTo(10*(m.score-m.second), 0, 3)
	want := clampTo(10*(m.score-max(rival, cfg.onScale(m.second, m.secondRef, mid, L))), 0, 3)
	if got := det.features[fMargin]; math.Abs(got-want) > 1e-9 || (raw < 3 && got < raw+5*(midP-mid)) {
		t.Errorf("margin %.3f, want %.3f (raw %.3f, midpoints %.3f and %.3f)", got, want, raw, midP, mid)
	}
	t.Logf("score %.3f, panasonic %.3f raw, %.3f on samsung's scale; margin %.3f raw, %.3f read", m.score, m.second, rival, raw, det.features[fMargin])
}
