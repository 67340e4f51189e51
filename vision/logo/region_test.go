package logo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestRegionTopKeepsBestPerBrand checks regionTop against a brute force on
// random offers: the kept references are the regionRefs best brands (each
// by its best logo), best first, and rest is the best score of the others,
// so the second a match is given is the best score of another brand.
func TestRegionTopKeepsBestPerBrand(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	refs := make([]*prepared, 12)
	for i := range refs {
		refs[i] = &prepared{logoID: fmt.Sprintf("l%d", i), brandID: fmt.Sprintf("b%d", i%5)}
	}
	for trial := range 500 {
		var top regionTop
		best := map[string]float64{}
		for range rng.IntN(20) {
			r := refs[rng.IntN(len(refs))]
			s := float64(rng.IntN(10)) / 10 // ties on purpose
			top.add(r, s)
			if s > best[r.brandID] {
				best[r.brandID] = s
			}
		}
		var want []float64
		for _, s := range best {
			want = append(want, s)
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(want)))
		if top.n != min(regionRefs, len(want)) {
			t.Fatalf("trial %d: kept %d, want %d", trial, top.n, min(regionRefs, len(want)))
		}
		seen := map[string]bool{}
		for i := range top.n {
			k := top.top[i]
			if k.score != want[i] || best[k.ref.brandID] != k.score || seen[k.ref.brandID] {
				t.Fatalf("trial %d: kept[%d] = %s %.1f, want score %.1f, each brand once at its best", trial, i, k.ref.brandID, k.score, want[i])
			}
			seen[k.ref.brandID] = true
		}
		rest := 0.0
		if len(want) > regionRefs {
			rest = want[regionRefs]
		}
		if top.rest < rest {
			t.Fatalf("trial %d: rest %.1f under the best left-out brand's %.1f", trial, top.rest, rest)
		}
	}
}

// TestRegionTopRunnerUpsAreNotReported checks that keeping runners-up
// does not report them: a region's second-best brand scores under the best
// one, so its margin factor keeps it below MinConfidence.
func TestRegionTopRunnerUpsAreNotReported(t *testing.T) {
	cfg := DefaultConfig()
	a := &prepared{logoID: "a", brandID: "a"}
	b := &prepared{logoID: "b", brandID: "b"}
	var top regionTop
	top.add(a, 0.90)
	top.add(b, 0.88)
	if top.n != 2 || top.top[0].ref != a {
		t.Fatalf("kept %d, first %v", top.n, top.top[0].ref)
	}
	if c := cfg.shapeConfidence(0.88, 0.90, 0, 200); c >= cfg.MinConfidence {
		t.Errorf("runner-up confidence %.3f, want under %.2f", c, cfg.MinConfidence)
	}
}

// TestEccWindowWidensTowardsElongated checks the eccentricity window of
// matchShapes: an elongated reference meets regions up to anisoLogEcc more
// elongated than itself (perspective shortens a wordmark's short axis) and
// no rounder than MaxLogEcc; a round reference keeps MaxLogEcc both ways.
func TestEccWindowWidensTowardsElongated(t *testing.T) {
	cfg := DefaultConfig()
	mark := func(ecc float64) *candidate { return &candidate{mo: moments{ecc: ecc}} }
	wordmark := &prepared{logoID: "w", brandID: "w", aniso: true, logEcc: math.Log(0.09)}
	disc := &prepared{logoID: "d", brandID: "d", logEcc: math.Log(0.9)}
	in := func(r *prepared, c *candidate) bool {
		below, above := cfg.eccWindow(r)
		e := math.Log(c.mo.ecc)
		return e >= r.logEcc-below && e <= r.logEcc+above
	}
	for _, tc := range []struct {
		name string
		ref  *prepared
		ecc  float64
		want bool
	}{
		{"wordmark foreshortened", wordmark, 0.04, true},
		{"wordmark far thinner", wordmark, 0.02, false},
		{"wordmark rounder", wordmark, 0.2, false},
		{"wordmark about right", wordmark, 0.15, true},
		{"disc thinner", disc, 0.4, false},
		{"disc a little thinner", disc, 0.5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := in(tc.ref, mark(tc.ecc)); got != tc.want {
				t.Errorf("ecc %.2f against %s: in window %v, want %v", tc.ecc, tc.ref.logoID, got, tc.want)
			}
		})
	}
}
