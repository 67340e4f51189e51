package logo

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestBenchBrands checks the brand sets BenchmarkLogos can register against
// the real simple-icons set (GENDEMO_ICONS, which scripts/test.sh points at
// .bench): the held-out brands are icons that no other list of the
// benchmark names, and a random set is 16 icons drawn by the seed, the same
// for a seed, never a held-out brand, a look-alike or a scene mark.
func TestBenchBrands(t *testing.T) {
	dir := iconsDir(t)
	svgs, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	if len(svgs) < 1100 {
		t.Fatalf("%d icons in %s", len(svgs), dir)
	}
	var icons []string
	for _, p := range svgs {
		icons = append(icons, strings.TrimSuffix(filepath.Base(p), ".svg"))
	}
	t.Run("dev", func(t *testing.T) {
		for _, mode := range []string{"", "dev"} {
			got, err := benchBrands(mode, 42, icons)
			if err != nil || !slices.Equal(got, registeredBrands) {
				t.Errorf("mode %q: %v, %v; want registeredBrands", mode, got, err)
			}
		}
	})
	t.Run("heldout", func(t *testing.T) {
		got, err := benchBrands("heldout", 42, icons)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(registeredBrands) || len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
			t.Fatalf("%d held-out brands (duplicates?), want %d", len(got), len(registeredBrands))
		}
		for _, n := range got {
			if !slices.Contains(icons, n) {
				t.Errorf("held-out %s is not an icon", n)
			}
			if slices.Contains(registeredBrands, n) || slices.Contains(lookAlikes, n) || slices.Contains(sceneMarks, n) {
				t.Errorf("held-out %s is also in another list", n)
			}
		}
	})
	t.Run("random", func(t *testing.T) {
		var first []string
		for seed := uint64(200); seed < 208; seed++ {
			got, err := benchBrands("random", seed, icons)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := benchBrands("random", seed, icons)
			if !slices.Equal(got, again) {
				t.Errorf("seed %d: %v, then %v", seed, got, again)
			}
			if len(got) != len(registeredBrands) || len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
				t.Errorf("seed %d: %v, want %d distinct brands", seed, got, len(registeredBrands))
			}
			for _, n := range got {
				if !slices.Contains(icons, n) || slices.Contains(heldoutBrands, n) || slices.Contains(lookAlikes, n) || slices.Contains(sceneMarks, n) {
					t.Errorf("seed %d drew %s", seed, n)
				}
			}
			if seed == 200 {
				first = got
			} else if slices.Equal(got, first) {
				t.Errorf("seed %d drew seed 200's brands", seed)
			}
		}
	})
	if _, err := benchBrands("ours", 42, icons); err == nil {
		t.Error("an unknown mode is accepted")
	}
}
