package logo

import (
	"cmp"
	"fmt"
	"slices"
	"testing"

	"counterlens/internal/synth"
)

// TestSplitMarginSidesWithTheMark: a mark of full strokes and counters
// (Coca-Cola's script, Starbucks' disc, the Nike swoosh) placed 150 and
// 250 px long at 20° under 0.07 perspective in the home photo (see
// placedRegion) sides with its own reference where it and another
// reference differ: splitMargin of the own reference over each of the
// splitRivals others of our 16 marks and 16 distractors that fit the
// region's silhouette best is splitOwnMin or more, and the pair read the
// other way round gives its negative. (Thin wordmarks under 150 px do not: the
// region's mask closes the gaps between their letters, and a fill
// reference sides with it there; see docs/benchmarks.md, session 18.)
func TestSplitMarginSidesWithTheMark(t *testing.T) {
	if testing.Short() {
		t.Skip("prepares 32 references")
	}
	const splitRivals, splitOwnMin = 5, 0.1
	marks := loadDir(t, "testdata/marks")
	refs := append(refsFrom(marks), refsFrom(loadDir(t, "testdata/distractors"))...)
	cfg := DefaultConfig()
	preps := make(map[string]*prepared, len(refs))
	for _, r := range refs {
		p, err := prepare(r, cfg)
		if err != nil {
			t.Fatal(err)
		}
		preps[r.LogoID] = p
	}
	for _, brand := range []string{"cocacola", "starbucks", "puma", "adidas", "jbl", "apple"} {
		for _, long := range []float64{150, 250} {
			t.Run(fmt.Sprintf("%s/%vpx", brand, long), func(t *testing.T) {
				own := preps[brand]
				c, score, g, col := placedRegion(t, synth.MarkAlpha(marks[brand]), own, long, 20, 0.07, uint64(long))
				if c == nil {
					t.Fatal("no region over the mark")
				}
				rg, ok := regionGrid(c)
				if !ok {
					t.Fatal("no grid for the region")
				}
				pose, ok := finePoseSearch(c, &rg, own, g, col)
				if !ok {
					t.Fatal("no fine pose of the own reference")
				}
				rivals := make([]*prepared, 0, len(preps))
				for id, p := range preps {
					if id != brand {
						rivals = append(rivals, p)
					}
				}
				slices.SortFunc(rivals, func(a, b *prepared) int { return cmp.Compare(scoreRef(c, b, cfg, 0), scoreRef(c, a, cfg, 0)) })
				compared := 0
				for _, p := range rivals[:splitRivals] {
					pose2, ok := finePoseSearch(c, &rg, p, g, col)
					if !ok {
						continue
					}
					v, ok := splitMargin(&pose, &pose2, &rg, own, p)
					if !ok {
						t.Errorf("against %s: not read", p.logoID)
						continue
					}
					compared++
					back, _ := splitMargin(&pose2, &pose, &rg, p, own)
					if v < splitOwnMin || back != -v {
						t.Errorf("against %s (score %.3f, own %.3f): split %.3f, back %.3f", p.logoID, scoreRef(c, p, cfg, 0), score, v, back)
					}
				}
				if compared == 0 {
					t.Fatal("no rival's fine pose")
				}
				t.Logf("%d references compared", compared)
			})
		}
	}
}
