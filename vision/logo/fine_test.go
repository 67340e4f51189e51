package logo

import (
	"context"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"counterlens/internal/synth"
)

// regionOver returns the candidate region of img whose box (in img's
// pixels) best overlaps gt, its box IoU, and all the regions.
func regionOver(t *testing.T, img image.Image, gt image.Rectangle, cfg Config) (*candidate, float64, []*candidate) {
	t.Helper()
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var best *candidate
	bv := 0.0
	for _, c := range cands {
		if v := boxIoU(scaleRect(c.box, 1/scale), gt); v > bv {
			best, bv = c, v
		}
	}
	return best, bv, cands
}

// ellipseRing draws a ring of the given aspect (height/width) and stroke,
// black on transparent.
func ellipseRing(aspect, stroke float64) *image.NRGBA {
	const n = 200
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			u, v := (float64(x)-99.5)/95, (float64(y)-99.5)/(95*aspect)
			if r := math.Hypot(u, v); r <= 1 && r >= 1-stroke {
				img.Set(x, y, color.NRGBA{0, 0, 0, 255})
			}
		}
	}
	return img
}

// TestFineVerificationPassesRealMarks: every registered mark composited
// into a real photo at a size the fine check applies to (recoloured,
// rotated, tilted, blurred, JPEG 60) has its outline within reach of its
// reference's on the fine raster; a reference that fits the region only
// roughly (a plain ring on an oval ring) strays beyond FineStrayMax.
func TestFineVerificationPassesRealMarks(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scenes := loadDir(t, "testdata/scenes")
	cfg := DefaultConfig()
	refs := refsFrom(marks)
	refs = append(refs, Reference{LogoID: "ring", BrandID: "ring", Image: ellipseRing(1, 0.2)})
	d := newTestDetector(t, refs)
	set := d.refs.Load()
	for i, brand := range append(registeredBrands, "oval") {
		t.Run(brand, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			bg := toRGBA(scenes["home"])
			var mark image.Image = marks[brand]
			refID := brand
			if brand == "oval" {
				mark, refID = ellipseRing(0.65, 0.2), "ring"
			}
			gt := synth.Composite(bg, synth.MarkAlpha(mark), synth.Placement{Long: 180, Angle: 12, Persp: 0.04, CX: 320, CY: 240, FG: navy, Patch: &white}, rng)
			c, iou, _ := regionOver(t, degrade(t, bg, 1, 2, 60, rng), gt, cfg)
			if iou < 0.7 {
				t.Skipf("no region of the mark (best box IoU %.2f)", iou)
			}
			f := fineMatch(c, set.byID[refID])
			t.Logf("fine IoU %.3f, stray %.3f, chamfer %.2f", f.iou, f.stray, f.chamfer)
			if brand == "oval" {
				if f.stray <= cfg.FineStrayMax {
					t.Errorf("a plain ring on an oval ring strays %.3f, want over %.2f", f.stray, cfg.FineStrayMax)
				}
				return
			}
			if f.stray > cfg.FineStrayMax {
				t.Errorf("the mark's outline strays %.3f from its reference's, want at most %.2f", f.stray, cfg.FineStrayMax)
			}
		})
	}
}

// TestFineGridSurvivesDescriptor: the fine rasters are part of a
// reference's descriptor.
func TestFineGridSurvivesDescriptor(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	d := newTestDetector(t, refsFrom(map[string]image.Image{"sony": marks["sony"], "nike": marks["nike"]}))
	for _, id := range []string{"sony", "nike"} {
		p := d.refs.Load().byID[id]
		b, _ := d.Descriptor(id)
		q, err := decodePrepared(b, d.descVer)
		if err != nil {
			t.Fatal(err)
		}
		if p.fine == nil || q.fine == nil || *p.fine != *q.fine {
			t.Errorf("%s: fine rasters differ after a descriptor round trip", id)
		}
		if p.fine.grid.count() == 0 || p.aniso != (p.fine.aligned.count() > 0) {
			t.Errorf("%s: fine rasters empty (grid %d cells, aligned %d, aniso %v)", id, p.fine.grid.count(), p.fine.aligned.count(), p.aniso)
		}
	}
}
