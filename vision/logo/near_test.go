package logo

import (
	"context"
	"fmt"
	"image"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"counterlens/internal/synth"
)

// blurredWordmarkPhoto draws mark (an alpha mask) long px long, black on
// a white panel of testdata/scenes/home.jpg, slanted and under
// perspective as drawn from seed, then blurs it by a 5×5 box and
// JPEG-compresses it at quality 55: small wordmarks whose letters the
// blur merges, the largest class of the benchmark's misses at 16
// references (docs/benchmarks.md, "Near misses, session 14").
func blurredWordmarkPhoto(t *testing.T, mark *image.Alpha, long float64, seed uint64) (image.Image, image.Rectangle) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, uint64(long)))
	bg := toRGBA(loadImage(t, "testdata/scenes/home.jpg"))
	angle := rng.Float64()*50 - 25
	gt := synth.Composite(bg, mark, synth.Placement{Long: long, Angle: angle, Persp: 0.06,
		CX: 200 + rng.Float64()*300, CY: 150 + rng.Float64()*200, FG: black, Patch: &white}, rng)
	return degrade(t, bg, 2, 2, 55, rng), gt
}

// TestNearLookFindsBlurredWordmarks: blurred small wordmarks whose
// silhouettes fit their references under ShapeMid (merged letters) are
// missed without the second look and found with it, where the grey
// template aligned on the photo reads their letters; their filled
// outlines at the same places (blobOf: the silhouette without its inner
// strokes and counters) are reported by neither.
func TestNearLookFindsBlurredWordmarks(t *testing.T) {
	if testing.Short() {
		t.Skip("prepares 16 references twice")
	}
	marks := loadDir(t, "testdata/marks")
	// The regions at the ladder's levels, whose letters the blur merged:
	// the mid cut (midcut.go) separates some of them, and Sony at 70 px
	// is then found without the second look.
	cfg := DefaultConfig()
	cfg.MidCut = false
	off := cfg
	off.NearLooks = 0
	d := newConfiguredDetector(t, cfg, refsFrom(marks))
	d0 := newConfiguredDetector(t, off, refsFrom(marks))
	found := func(t *testing.T, d *Detector, img image.Image, brand string, gt image.Rectangle) (float64, bool) {
		t.Helper()
		for _, det := range detect(t, d, img) {
			if det.BrandID == brand && boxIoU(det.Box, gt) >= 0.5 {
				return det.Confidence, true
			}
		}
		return 0, false
	}
	for name, tc := range map[string]struct {
		brand string
		long  float64
		seed  uint64
	}{
		"sony/70px":         {"sony", 70, 2},
		"newbalance/55px":   {"newbalance", 55, 2},
		"newbalance/55px/2": {"newbalance", 55, 3},
	} {
		t.Run(name, func(t *testing.T) {
			img, gt := blurredWordmarkPhoto(t, synth.MarkAlpha(marks[tc.brand]), tc.long, tc.seed)
			if c, ok := found(t, d0, img, tc.brand, gt); ok {
				t.Errorf("without the second look: found at %.3f, want it missed (the case no longer tests it)", c)
			}
			c, ok := found(t, d, img, tc.brand, gt)
			if !ok {
				t.Errorf("with the second look: missed")
			}
			blob, bgt := blurredWordmarkPhoto(t, blobOf(t, synth.MarkAlpha(marks[tc.brand])), tc.long, tc.seed)
			if bc, ok := found(t, d, blob, tc.brand, bgt); ok {
				t.Errorf("its filled outline reported at %.3f", bc)
			}
			t.Logf("found at %.3f with the second look", c)
		})
	}
	// Filled outlines of New Balance that fit its silhouette as well as
	// the mark does, under the midpoint (the second look's model gave them
	// 0.945 and 0.973 before the grey template gated it).
	for _, tc := range []struct {
		long float64
		seed uint64
	}{{38, 1}, {45, 2}} {
		blob, gt := blurredWordmarkPhoto(t, blobOf(t, synth.MarkAlpha(marks["newbalance"])), tc.long, tc.seed)
		if c, ok := found(t, d, blob, "newbalance", gt); ok {
			t.Errorf("newbalance's filled outline at %vpx (seed %d) reported at %.3f", tc.long, tc.seed, c)
		}
	}
}

// TestNearLookTakesTheReferenceOverItsMidpoint: on the region of a
// blurred Sony wordmark (70 px, placement seed 2, which the second look
// finds), a reference of another brand with Sony's very silhouette but a
// chance level 0.2 higher (a mark that fits anything as well) scores as
// Sony does and comes first in the queue; the second look takes Sony,
// whose score lies higher over its own midpoint, and the other as the
// second, where the top raw score kept the first met.
func TestNearLookTakesTheReferenceOverItsMidpoint(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	cfg := DefaultConfig()
	sony, err := prepare(Reference{LogoID: "sony", BrandID: "sony", Image: marks["sony"]}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sony.nullMax = 0.6
	twin := *sony
	twin.logoID, twin.brandID, twin.nullMax = "twin", "twin", 0.8
	img, gt := blurredWordmarkPhoto(t, synth.MarkAlpha(marks["sony"]), 70, 2)
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, best := bestRegionOver(cands, scale, gt, 0.5, sony, cfg)
	if c == nil {
		t.Fatal("no region over the mark")
	}
	floor := cfg.queueFloor()
	refs := []*prepared{&twin, sony}
	q := queuePair(nil, 0, c, &twin, cfg, floor)
	q = queuePair(q, 1, c, sony, cfg, floor)
	pairs := rankPairs(q)
	if len(pairs) == 0 {
		t.Fatal("no pair queued")
	}
	m := nearBest(c, pairs, nil, refs, cfg, floor)
	if m.ref == nil {
		t.Fatalf("no match (score %.3f, queue of %d views)", best, len(q))
	}
	t.Logf("score %.3f, second %.3f", m.score, m.second)
	if m.ref != sony || m.secondRef != &twin || m.second != m.score {
		second := "none"
		if m.secondRef != nil {
			second = m.secondRef.logoID
		}
		t.Errorf("took %s at %.3f, second %s at %.3f; want sony, and the twin at the same score", m.ref.logoID, m.score, second, m.second)
	}
	if old, _, _, _ := refineRankedUpTo(c, q, refs, floor, rankedTries); old.ref != &twin {
		t.Errorf("the top raw score took %s: the case no longer tests the choice", old.ref.logoID)
	}
}

// TestNearLookRanksARegionByTheReferenceItTakes: the blurred Sony of
// TestNearLookTakesTheReferenceOverItsMidpoint (70 px, placement seed 2,
// mid cut off so that only a second look finds it) among the 16 marks of
// testdata/marks and Sony's twin of chance level 0.8, which comes first in
// the Sony's region's queue; one look a photo. Ranked by its first pair's
// reference (the twin, far under its own midpoint) the Sony's region
// loses the look to a chance fit elsewhere on the photo; ranked by the
// reference the look takes (Sony), it gets it.
func TestNearLookRanksARegionByTheReferenceItTakes(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	cfg := DefaultConfig()
	cfg.MidCut = false
	cfg.NearLooks = 1
	var refs []*prepared
	var sony *prepared
	for _, id := range slices.Sorted(maps.Keys(marks)) {
		p, err := prepare(Reference{LogoID: id, BrandID: id, Image: marks[id]}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		p.nullMax = 0.6
		if id == "sony" {
			sony = p
		}
		refs = append(refs, p)
	}
	twin := *sony
	twin.logoID, twin.brandID, twin.nullMax = "twin", "twin", 0.8
	// The twin first: the queue's tie of estimates keeps reference order.
	refs = append([]*prepared{&twin}, refs...)
	img, gt := blurredWordmarkPhoto(t, synth.MarkAlpha(marks["sony"]), 70, 2)
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	floor := cfg.queueFloor()
	queues := queueViews(cands, refs, cfg, floor)
	// The case: by first pairs, a region elsewhere ranks over every
	// region over the Sony.
	overSony, elsewhere := math.Inf(-1), math.Inf(-1)
	for i, c := range cands {
		pairs := rankPairs(queues[i])
		if len(pairs) == 0 || pairs[0].est < floor {
			continue
		}
		r := refs[pairs[0].q[0].ref]
		s := refineOver(c, pairs[0].q, r, 0)
		if s < floor || s >= cfg.reportFloor() {
			continue
		}
		z := s - cfg.fitMid(r.nullMax, max(c.box.Dx(), c.box.Dy()))
		if boxIoU(scaleRect(c.box, 1/scale), gt) >= 0.5 {
			overSony = max(overSony, z)
		} else {
			elsewhere = max(elsewhere, z)
		}
	}
	t.Logf("first pairs under their midpoints: over the Sony %.3f, elsewhere %.3f", overSony, elsewhere)
	if elsewhere <= overSony {
		t.Errorf("by first pairs the Sony's region ranks first: the case no longer tests the ranking")
	}
	var looks []string
	for _, m := range matchShapes(cands, refs, cfg) {
		if m.near {
			looks = append(looks, fmt.Sprintf("%s at %v (%.3f)", m.ref.logoID, scaleRect(m.cand.box, 1/scale), m.score))
			if m.ref == sony && boxIoU(scaleRect(m.cand.box, 1/scale), gt) >= 0.5 {
				return
			}
		}
	}
	t.Errorf("second looks %v; want sony over %v", looks, gt)
}
