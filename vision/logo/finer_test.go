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

// finerMatches composites mark, long px wide, in grey fg on a grey patch
// into the home photo (-8°, slight perspective), box-blurred over 3x3
// pixels when blur is set, JPEG 60, and returns the best confidence and
// score brand's matches reach over it among refs, before confirmFiner and
// after it.
func finerMatches(t *testing.T, mark image.Image, brand string, refs []*prepared, long float64, blur int) (before, after shapeMatch) {
	t.Helper()
	fg, patch := color.RGBA{110, 110, 110, 255}, color.RGBA{170, 170, 165, 255}
	scene := loadImage(t, "testdata/scenes/home.jpg")
	rng := rand.New(rand.NewPCG(uint64(long)+uint64(fg.R), 5))
	bg := toRGBA(scene)
	gt := synth.Composite(bg, synth.MarkAlpha(mark), synth.Placement{Long: long, Angle: -8, Persp: 0.03, CX: 300, CY: 220, FG: fg, Patch: &patch}, rng)
	img := degrade(t, bg, blur, 2, 60, rng)
	cfg := DefaultConfig()
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pick := func(ms []shapeMatch) shapeMatch {
		var best shapeMatch
		for _, m := range ms {
			if m.ref.brandID == brand && boxIoU(scaleRect(m.cand.box, 1/scale), gt) >= 0.6 && m.score > best.score {
				best = m
			}
		}
		return best
	}
	ms := matchShapes(cands, refs, cfg)
	before = pick(ms)
	after = pick(confirmFiner(append([]shapeMatch(nil), ms...), g, refs, cfg))
	return before, after
}

// finerConfirmGains are the placements of finerMatches that the
// confirmation on the finer cut lifts by at least 0.02 (by 0.02-0.12);
// the others are logged (Sony, Samsung and Coca-Cola at 38-48 px mostly
// have no match either way: their letters merge at every cut).
var finerConfirmGains = map[string]bool{
	"newbalance/38px/blur0": true,
	"newbalance/48px/blur0": true,
	"newbalance/60px/blur0": true,
	"newbalance/60px/blur1": true,
	"reebok/60px/blur0":     true,
	"reebok/60px/blur1":     true,
	"nike/38px/blur0":       true,
	"nike/48px/blur0":       true,
	"nike/60px/blur1":       true,
	"adidas/38px/blur0":     true,
	"puma/38px/blur0":       true,
	"puma/48px/blur0":       true,
	"fila/48px/blur0":       true,
	"fila/60px/blur1":       true,
}

// TestFinerConfirmsSmallMarks: small registered marks in low contrast,
// those of finerConfirmGains, score at least 0.02 higher against their own
// reference once confirmed on their finer cut; no placement loses; beyond
// finerSide nothing changes.
func TestFinerConfirmsSmallMarks(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	d := newTestDetector(t, refsFrom(marks))
	refs := d.refs.Load().flat
	for _, brand := range []string{"sony", "samsung", "cocacola", "newbalance", "reebok", "nike", "starbucks", "adidas", "puma", "fila"} {
		for _, long := range []float64{38, 48, 60, 150} {
			for _, blur := range []int{0, 1} {
				name := fmt.Sprintf("%s/%vpx/blur%d", brand, long, blur)
				t.Run(name, func(t *testing.T) {
					b, a := finerMatches(t, marks[brand], brand, refs, long, blur)
					switch {
					case a.score < b.score:
						t.Errorf("confirmed %.3f, ladder %.3f: the confirmation lowered the mark", a.score, b.score)
					case long > finerSide:
						if a.score != b.score {
							t.Errorf("beyond finerSide: confirmed %.3f, ladder %.3f", a.score, b.score)
						}
					case finerConfirmGains[name]:
						if a.score-b.score < 0.02 {
							t.Errorf("confirmed %.3f, ladder %.3f: want 0.02 more", a.score, b.score)
						}
					default:
						t.Logf("confirmed %.3f, ladder %.3f", a.score, b.score)
					}
				})
			}
		}
	}
}

// TestFinerConfirmsNoTexture: on photos without any registered mark, the
// confirmation lifts no region to a reported confidence, with the 16
// references and the 16 look-alike distractors registered.
func TestFinerConfirmsNoTexture(t *testing.T) {
	refs := append(refsFrom(loadDir(t, "testdata/marks")), refsFrom(loadDir(t, "testdata/distractors"))...)
	d := newTestDetector(t, refs)
	flat := d.refs.Load().flat
	cfg := DefaultConfig()
	conf := func(m shapeMatch) float64 {
		return cfg.shapeConfidence(m.score, m.second, m.ref.nullMax, max(m.cand.box.Dx(), m.cand.box.Dy()))
	}
	for _, name := range []string{"HappyFish", "baboon", "building", "fruits", "home"} {
		t.Run(name, func(t *testing.T) {
			img := loadImage(t, "testdata/scenes/"+name+".jpg")
			g, scale := toGray(img, cfg.MaxSide, false)
			cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
			if err != nil {
				t.Fatal(err)
			}
			ms := matchShapes(cands, flat, cfg)
			confirmed := confirmFiner(append([]shapeMatch(nil), ms...), g, flat, cfg)
			lifted := 0
			for i, m := range confirmed {
				if m.cand != ms[i].cand {
					lifted++
				}
				if b, a := conf(ms[i]), conf(m); a >= cfg.MinConfidence && b < cfg.MinConfidence {
					t.Errorf("%s at %v: confidence %.3f -> %.3f (score %.3f -> %.3f)", m.ref.logoID, m.cand.box, b, a, ms[i].score, m.score)
				}
			}
			t.Logf("%d of %d matches confirmed on a finer cut", lifted, len(ms))
		})
	}
}
