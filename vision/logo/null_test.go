package logo

import (
	"context"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"counterlens/internal/synth"
)

// TestPrimitivesCalibrateGenericMarks: a registered mark that is a plain
// ring fits every ring in every photo; the primitives of the null corpus
// must calibrate it above any fit it can reach (so a ring drawn into a photo
// is not reported as that brand), while a distinctive mark stays reportable.
func TestPrimitivesCalibrateGenericMarks(t *testing.T) {
	ring := image.NewNRGBA(image.Rect(0, 0, 200, 200))
	for y := range 200 {
		for x := range 200 {
			if r := math.Hypot(float64(x)-99.5, float64(y)-99.5); r < 95 && r > 80 {
				ring.Set(x, y, color.NRGBA{0, 0, 0, 255})
			}
		}
	}
	marks := loadDir(t, "testdata/marks")
	d := newTestDetector(t, []Reference{
		{LogoID: "ring", BrandID: "ring", Image: ring},
		{LogoID: "nike", BrandID: "nike", Image: marks["nike"]},
	})
	set := d.refs.Load()
	if p := set.byID["ring"]; p.nullMax < 0.9 {
		t.Errorf("a plain ring's null-corpus score is %.2f, want it near 1", p.nullMax)
	}
	cfg := DefaultConfig()
	if p := set.byID["nike"]; p.nullMax+cfg.NullMargin >= 0.9 {
		t.Errorf("the swoosh's null-corpus score %.2f leaves it no room", p.nullMax)
	}

	scene := toRGBA(loadDir(t, "testdata/scenes")["home"])
	gt := synth.Composite(scene, synth.MarkAlpha(ring), synth.Placement{Long: 150, CX: 300, CY: 220, FG: black, Patch: &white}, rand.New(rand.NewPCG(1, 2)))
	dets, err := d.Detect(context.Background(), degrade(t, scene, 0, 2, 80, rand.New(rand.NewPCG(3, 4))))
	if err != nil {
		t.Fatal(err)
	}
	for _, det := range dets {
		if det.LogoID == "ring" {
			t.Errorf("reported the plain ring at %v (drawn at %v)", det.Box, gt)
		}
	}
}

// TestWordsSetTheFineLevelOfWordmarks: a wordmark fits scene text's
// outline where the letters it shares sit. The null corpus alone (photos,
// single glyphs, primitives) leaves the "cora" wordmark no fine outline
// level at all, as no region fits its silhouette over the floor; the
// common words give it one at least as high as its false alarms on
// printed text read (about 0.7), while distinctive marks, which fit no
// word, keep a low one.
func TestWordsSetTheFineLevelOfWordmarks(t *testing.T) {
	dir := iconsDir(t)
	cora, err := rasterSVG(filepath.Join(dir, "cora.svg"))
	if err != nil {
		t.Fatal(err)
	}
	marks := loadDir(t, "testdata/marks")
	d := newTestDetector(t, []Reference{
		{LogoID: "cora", BrandID: "cora", Image: cora},
		{LogoID: "puma", BrandID: "puma", Image: marks["puma"]},
		{LogoID: "starbucks", BrandID: "starbucks", Image: marks["starbucks"]},
	})
	set := d.refs.Load()
	p := set.byID["cora"]
	if _, fine := nullCalibration(p, d.null, nil, d.cfg); fine != 0 {
		t.Errorf("cora's fine level on the null corpus alone is %.3f, want 0 (no region over the floor)", fine)
	}
	if p.fineNull < 0.7 {
		t.Errorf("cora's fine level with the words is %.3f, want 0.7 or more", p.fineNull)
	}
	for _, id := range []string{"puma", "starbucks"} {
		if q := set.byID[id]; q.fineNull > 0.5 || q.fineNull > p.fineNull-0.25 {
			t.Errorf("%s's fine level is %.3f, want it well under the wordmark's %.3f", id, q.fineNull, p.fineNull)
		}
	}
}

// TestWordsRaiseTheMidpointOfMarksThatFitText: a reference that fits
// common printed words (the "cora" wordmark fits "comp" at 0.75-0.77 on
// page photos) gets a chance level from them, its wordRank-th best word,
// that lifts its reporting midpoint over those fits; our registered
// wordmarks, whose letters fit few words, keep the midpoint they have on
// the null corpus alone.
func TestWordsRaiseTheMidpointOfMarksThatFitText(t *testing.T) {
	dir := iconsDir(t)
	cora, err := rasterSVG(filepath.Join(dir, "cora.svg"))
	if err != nil {
		t.Fatal(err)
	}
	marks := loadDir(t, "testdata/marks")
	refs := []Reference{{LogoID: "cora", BrandID: "cora", Image: cora}}
	wordmarks := []string{"sony", "samsung", "fila", "cocacola", "reebok"}
	for _, id := range wordmarks {
		refs = append(refs, Reference{LogoID: id, BrandID: id, Image: marks[id]})
	}
	d := newTestDetector(t, refs)
	cfg := d.cfg
	set := d.refs.Load()
	p := set.byID["cora"]
	alone, _ := nullCalibration(p, d.null, nil, cfg)
	if mid := cfg.fitMid(alone, 200); mid > 0.75 {
		t.Errorf("cora's midpoint on the null corpus alone is %.3f, want it under its fits on text (the words are what lift it)", mid)
	}
	if mid := cfg.fitMid(p.nullMax, 200); mid < 0.78 {
		t.Errorf("cora's midpoint with the words is %.3f (level %.3f), want it over 0.78", mid, p.nullMax)
	}
	for _, id := range wordmarks {
		q := set.byID[id]
		alone, _ := nullCalibration(q, d.null, nil, cfg)
		if got, want := cfg.fitMid(q.nullMax, 200), cfg.fitMid(alone, 200); got != want {
			t.Errorf("%s's midpoint is %.3f with the words, %.3f without: want it unmoved", id, got, want)
		}
	}
}
