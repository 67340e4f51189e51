package logo

import (
	"context"
	"image"
	"math/rand/v2"
	"sort"
	"testing"

	"counterlens/internal/synth"
)

// TestEdgeRatioSeparatesMarksFromTexture: the region of every registered
// mark composited into a real photo (recoloured, rotated, tilted, blurred,
// JPEG at 50 to 75) has an outline that clears Config.EdgeMid, while most
// regions cut out of a mark-free textured photo (fur, shading) do not.
func TestEdgeRatioSeparatesMarksFromTexture(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scenes := loadDir(t, "testdata/scenes")
	cfg := DefaultConfig()
	regions := func(t *testing.T, img image.Image) ([]*candidate, grayImage, rgbImage, float64) {
		t.Helper()
		g, scale := toGray(img, cfg.MaxSide, false)
		cands, col, err := photoCandidates(context.Background(), img, g, scale, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return cands, g, col, scale
	}
	for _, brand := range registeredBrands {
		for i, mc := range markCases {
			t.Run(brand+"/"+mc.name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(i), 7))
				bg := toRGBA(scenes[mc.scene])
				gt := synth.Composite(bg, synth.MarkAlpha(marks[brand]), synth.Placement{Long: mc.long, Angle: mc.angle, Persp: mc.persp, CX: mc.cx, CY: mc.cy, FG: mc.fg, Patch: mc.patch}, rng)
				cands, g, col, scale := regions(t, degrade(t, bg, mc.blur, 2, mc.jpegQ, rng))
				best, bi := 0.0, -1
				for k, c := range cands {
					if v := boxIoU(scaleRect(c.box, 1/scale), gt); v > best {
						best, bi = v, k
					}
				}
				if best < 0.7 {
					t.Skipf("no region of the mark (best box IoU %.2f): nothing to verify", best)
				}
				// The mark may have several regions in nearly its box (a
				// grey cut and a colour cut of another shape, see
				// twins.go): one of them must verify.
				r := edgeRatio(cands[bi], g, col)
				for _, c := range cands {
					if boxIoU(scaleRect(c.box, 1/scale), gt) >= best-0.05 {
						r = max(r, edgeRatio(c, g, col))
					}
				}
				if r < cfg.EdgeMid {
					t.Errorf("edge ratio of the mark's region %.2f, want at least %.2f", r, cfg.EdgeMid)
				}
			})
		}
	}
	for _, name := range []string{"baboon", "apple", "fruits"} {
		t.Run("texture/"+name, func(t *testing.T) {
			cands, g, col, _ := regions(t, scenes[name])
			var rs []float64
			for _, c := range cands {
				rs = append(rs, edgeRatio(c, g, col))
			}
			sort.Float64s(rs)
			n := sort.SearchFloat64s(rs, cfg.EdgeMid)
			t.Logf("%d regions, %d under %.2f; quartiles %.2f %.2f %.2f", len(rs), n, cfg.EdgeMid, rs[len(rs)/4], rs[len(rs)/2], rs[3*len(rs)/4])
			// Fruit and candies have real outlines too; most regions
			// of a photo are cuts through its shading and texture.
			if float64(n) < 0.85*float64(len(rs)) {
				t.Errorf("%d of %d regions of a mark-free photo clear the edge check, want under 15%%", len(rs)-n, len(rs))
			}
		})
	}
}
