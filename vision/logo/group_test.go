package logo

import (
	"fmt"
	"image"
	"math/rand/v2"
	"slices"
	"testing"

	"counterlens/internal/synth"
)

// plainGroups is groupComponents' linking as a definition: every pair of
// parts is tested, with no spatial hash.
func plainGroups(comps []component, cfg Config, alike func(a, b int) bool) ([]int32, []component) {
	n := len(comps)
	groupOf := make([]int32, n)
	for i := range groupOf {
		groupOf[i] = -1
	}
	var parts []int
	for k := 1; k < n; k++ {
		if comps[k].area >= cfg.MinPartArea {
			parts = append(parts, k)
		}
	}
	if len(parts) < 2 || len(parts) > cfg.MaxParts {
		return groupOf, nil
	}
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(i int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	size := func(b image.Rectangle) int { return max(b.Dx(), b.Dy()) }
	for _, k := range parts {
		for _, j := range parts {
			b, o := comps[k].box, comps[j].box
			sb, so := size(b), size(o)
			if j == k || max(sb, so) > cfg.MaxPartRatio*min(sb, so) {
				continue
			}
			g2 := int(cfg.GroupGap*float64(min(sb, so))) + cfg.GroupSlack + 1
			if b.Inset(-g2).Overlaps(o) && (alike == nil || alike(j, k)) {
				parent[find(j)] = find(k)
			}
		}
	}
	return groupOf, collectGroups(comps, parts, find, groupOf)
}

// TestGroupComponentsMatchesDefinition wants groupComponents (spatial
// hash) to link random components, of mixed sizes over a 1000 px raster,
// into the groups that testing every pair gives, with and without an alike
// test.
func TestGroupComponentsMatchesDefinition(t *testing.T) {
	cfg := DefaultConfig()
	rng := rand.New(rand.NewPCG(13, 14))
	alikeOdd := func(a, b int) bool { return a%3 != 0 && b%3 != 0 }
	linked := 0
	for trial := range 40 {
		comps := []component{{}}
		for range 2 + rng.IntN(cfg.MaxParts) {
			s := 1 + rng.IntN([]int{8, 40, 200}[rng.IntN(3)])
			x, y := rng.IntN(1000-s), rng.IntN(700-s)
			b := image.Rect(x, y, x+1+rng.IntN(s), y+1+rng.IntN(s))
			comps = append(comps, component{box: b, area: 1 + rng.IntN(b.Dx()*b.Dy())})
		}
		for _, alike := range []func(a, b int) bool{nil, alikeOdd} {
			gotOf, got := groupComponents(comps, cfg, alike)
			wantOf, want := plainGroups(comps, cfg, alike)
			if !slices.Equal(gotOf, wantOf) || !slices.Equal(got, want) {
				t.Fatalf("trial %d: groups %v %v, want %v %v", trial, gotOf, got, wantOf, want)
			}
			linked += len(got)
		}
	}
	if linked == 0 {
		t.Fatal("no groups formed: the test compares nothing")
	}
	t.Logf("%d groups compared", linked)
}

// bestGroupOver composites mark long px long on scene (no patch), in
// midCutLooks[li], turned angle degrees, box-blurred over 3x3 pixels when
// blur is set, JPEG 70, and returns, for each of cfgs, the best box IoU
// with the mark's of a group that groupComponents makes on any of the
// ladder's cuts.
func bestGroupOver(t *testing.T, scene, mark image.Image, long float64, li, blur int, angle float64, cfgs ...Config) []float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(long)+uint64(li)*7, 3))
	bg := toRGBA(scene)
	gt := synth.Composite(bg, synth.MarkAlpha(mark), synth.Placement{Long: long, Angle: angle, Persp: 0.03, CX: 300, CY: 220, FG: midCutLooks[li].fg}, rng)
	g, scale := toGray(degrade(t, bg, blur, 2, 70, rng), cfgs[0].MaxSide, false)
	m, pix, err := ladderGrey(g)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	gt = scaleRect(gt, scale)
	best := make([]float64, len(cfgs))
	var rl runLabeler
	var comps []component
	for _, lv := range ladderLevels(cfgs[0].LevelStep, 256) {
		rl.cut(pix, g.w, g.h, lv)
		for p := range 2 {
			comps = rl.components(p, comps)
			for i, cfg := range cfgs {
				_, groups := groupComponents(comps, cfg, nil)
				for _, gr := range groups {
					best[i] = max(best[i], boxIoU(gr.box, gt))
				}
			}
		}
	}
	return best
}

// slackGroups are the placements of TestGroupSlackLinksSmallLetters whose
// letters (or a mark's parts) the ladder cuts a pixel further apart than
// GroupGap allows at their size, so that no group covers the mark without
// GroupSlack (best group IoU without, with: The North Face 0.01, 0.83;
// New Balance 0.77, 0.84; Coca-Cola 0.34, 0.80; Fila 0.00, 0.86; JBL
// 0.75, 0.92).
var slackGroups = map[string]bool{
	"thenorthface/30px/look2/blur1/angle0": true,
	"newbalance/48px/look2/blur0/angle12":  true,
	"cocacola/42px/look2/blur1/angle12":    true,
	"fila/30px/look2/blur1/angle0":         true,
	"jbl/48px/look2/blur0/angle0":          true,
}

// TestGroupSlackLinksSmallLetters: eight marks of several parts
// composited on a photo at 30-60 px, in four colourings, crisp and
// blurred, level and turned: with GroupSlack (a pixel of slack on the
// gap), a group on some ladder cut covers the mark (box IoU 0.8) in the
// slackGroups placements and in every placement where one covers it
// without (36 of 640 without, 41 with).
func TestGroupSlackLinksSmallLetters(t *testing.T) {
	on := DefaultConfig()
	off := on
	off.GroupSlack = 0
	marks := loadDir(t, "testdata/marks")
	scene := loadImage(t, "testdata/scenes/home.jpg")
	nOn, nOff := 0, 0
	for _, brand := range []string{"samsung", "sony", "thenorthface", "newbalance", "cocacola", "reebok", "fila", "jbl"} {
		for _, long := range []float64{30, 36, 42, 48, 60} {
			for li := range midCutLooks {
				for _, blur := range []int{0, 1} {
					for _, angle := range []float64{0, 12} {
						name := fmt.Sprintf("%s/%vpx/look%d/blur%d/angle%v", brand, long, li, blur, angle)
						r := bestGroupOver(t, scene, marks[brand], long, li, blur, angle, on, off)
						with, without := r[0] >= 0.8, r[1] >= 0.8
						if with {
							nOn++
						}
						if without {
							nOff++
						}
						switch {
						case without && !with:
							t.Errorf("%s: a group covers the mark without GroupSlack (%.2f), none with it (%.2f)", name, r[1], r[0])
						case slackGroups[name] && (!with || without):
							t.Errorf("%s: best group with GroupSlack %.2f, without %.2f: want 0.8 only with", name, r[0], r[1])
						}
					}
				}
			}
		}
	}
	t.Logf("a group covers the mark: with GroupSlack %d, without %d", nOn, nOff)
	if nOn < nOff+len(slackGroups) {
		t.Errorf("a group covers the mark: with GroupSlack %d, without %d: want %d more", nOn, nOff, len(slackGroups))
	}
}
