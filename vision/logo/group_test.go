package logo

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"
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
			g2 := int(cfg.GroupGap*float64(min(sb, so))) + 1
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
