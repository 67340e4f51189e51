package logo

import (
	"context"
	"image"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"

	"counterlens/internal/synth"
)

// pairFixture is real material for checking the matcher's shortcuts: the
// registered marks and the look-alike distractors prepared as references,
// and the candidate regions of the scene photos, of the null corpus and of
// scenes with every mark composited in (so some pairs are true matches).
type pairFixture struct {
	refs  []*prepared // sorted by logEcc, as in a refSet
	cands []*candidate
}

var (
	pairsOnce sync.Once
	pairs     pairFixture
	pairsErr  error
)

func realPairs(t testing.TB) *pairFixture {
	t.Helper()
	if testing.Short() {
		t.Skip("prepares 32 references and cuts ~30 photos into regions")
	}
	pairsOnce.Do(func() { pairs, pairsErr = buildPairs(t) })
	if pairsErr != nil {
		t.Fatal(pairsErr)
	}
	return &pairs
}

func buildPairs(t testing.TB) (pairFixture, error) {
	cfg := DefaultConfig()
	var f pairFixture
	marks := loadDir(t, "testdata/marks")
	refImgs := loadDir(t, "testdata/distractors")
	for k, v := range marks {
		refImgs[k] = v
	}
	names := make([]string, 0, len(refImgs))
	for k := range refImgs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		p, err := prepare(Reference{LogoID: n, BrandID: n, Image: refImgs[n]}, cfg)
		if err != nil {
			return f, err
		}
		if p.feat == nil {
			f.refs = append(f.refs, p)
		}
	}
	sort.SliceStable(f.refs, func(i, j int) bool { return f.refs[i].logEcc < f.refs[j].logEcc })

	scenes := loadDir(t, "testdata/scenes")
	sceneNames := make([]string, 0, len(scenes))
	for k := range scenes {
		sceneNames = append(sceneNames, k)
	}
	sort.Strings(sceneNames)
	rng := rand.New(rand.NewPCG(3, 5))
	photos := make([]image.Image, 0, len(sceneNames)+len(marks))
	for _, n := range sceneNames {
		photos = append(photos, scenes[n])
	}
	markNames := slices.Sorted(func(yield func(string) bool) {
		for k := range marks {
			if !yield(k) {
				return
			}
		}
	})
	for i, m := range markNames {
		bg := toRGBA(scenes[sceneNames[i%len(sceneNames)]])
		p := synth.Placement{Long: 90 + 150*rng.Float64(), Angle: 60*rng.Float64() - 30, Persp: 0.05 * rng.Float64(),
			CX: 320, CY: 240, FG: black, Patch: &white}
		synth.Composite(bg, synth.MarkAlpha(marks[m]), p, rng)
		photos = append(photos, degrade(t, bg, i%2, 2, 70, rng))
	}
	for _, ph := range photos {
		g, scale := toGray(ph, cfg.MaxSide, false)
		cs, _, err := photoCandidates(context.Background(), ph, g, scale, cfg)
		if err != nil {
			return f, err
		}
		f.cands = append(f.cands, cs...)
	}
	// The null corpus with the Go fonts' glyphs only, as when the bound's
	// figures were set: the typeface strips of nullglyphs/ add a thousand
	// letters, which would make the regions mostly glyphs.
	null, err := nullCorpusWith(cfg, goGlyphCandidates)
	if err != nil {
		return f, err
	}
	f.cands = append(f.cands, null...)
	return f, nil
}

// plainAgreement and plainTolerantF are the overlap measures written
// straight from their definitions, over every row.
func plainAgreement(a, aD, b, bD *bitgrid) float64 {
	var in, un int
	for i := range a {
		in += bits.OnesCount64(a[i] & b[i])
		un += bits.OnesCount64(a[i] | b[i])
	}
	iou := 0.0
	if un > 0 {
		iou = float64(in) / float64(un)
	}
	return 0.5*iou + 0.5*plainTolerantF(a, aD, b, bD)
}

func plainTolerantF(a, aD, b, bD *bitgrid) float64 {
	var hit, tot int
	for i := range a {
		hit += bits.OnesCount64(a[i]&bD[i]) + bits.OnesCount64(b[i]&aD[i])
		tot += bits.OnesCount64(a[i]) + bits.OnesCount64(b[i])
	}
	if tot == 0 {
		return 0
	}
	return float64(hit) / float64(tot)
}

func plainShapeScore(c, r *shapeView) float64 {
	return combine(plainAgreement(&c.mask, &c.maskD, &r.mask, &r.maskD), plainAgreement(&c.conc, &c.concD, &r.conc, &r.concD))
}

// TestOverlapKernelsMatchDefinition wants the row-limited kernels to give
// the very same numbers as the definitions over all rows: on real regions
// against real references at every angle, shifted regions, empty views and
// random grids.
func TestOverlapKernelsMatchDefinition(t *testing.T) {
	f := realPairs(t)
	check := func(name string, c, r *shapeView) {
		t.Helper()
		if got, want := shapeScore(c, r), plainShapeScore(c, r); got != want {
			t.Fatalf("%s: shapeScore %v, definition %v", name, got, want)
		}
		if got, want := maskTolerantF(c, r), plainTolerantF(&c.mask, &c.maskD, &r.mask, &r.maskD); got != want {
			t.Fatalf("%s: maskTolerantF %v, definition %v", name, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := 0
	for i, c := range f.cands {
		if i%7 != 0 {
			continue
		}
		r := f.refs[rng.IntN(len(f.refs))]
		for a := range r.views {
			check(r.logoID, &c.view, &r.views[a])
			n++
		}
		for i := range shiftN {
			check(r.logoID+"/shifted", c.shifted().at(i), &r.views[numAngles/2])
		}
	}
	var empty shapeView
	empty.fillDilated()
	check("empty/empty", &empty, &empty)
	check("empty/ref", &empty, &f.refs[0].views[0])
	for range 2000 {
		var a, b bitgrid
		y0, y1 := rng.IntN(gridN), rng.IntN(gridN)
		for y := min(y0, y1); y <= max(y0, y1); y++ {
			a[y] = rng.Uint64() & rng.Uint64()
		}
		for y := rng.IntN(gridN); y < gridN; y += 1 + rng.IntN(3) {
			b[y] = rng.Uint64()
		}
		va, vb := newShapeView(a), newShapeView(b)
		check("random", &va, &vb)
		n++
	}
	t.Logf("%d regions, %d references, %d comparisons", len(f.cands), len(f.refs), n)
}

// TestRingBound checks the bound that skips references, on real regions
// against real references: at every search angle, the masks' tolerantF
// and the shape score stay within what ringEnvelope.bound caps them at, so
// a pair the bound rules out would have scored 0. It also wants the bound
// to rule out a fair share of the pairs the radial profile lets through
// while some pairs score, and reports how many.
func TestRingBound(t *testing.T) {
	f := realPairs(t)
	cfg := DefaultConfig()
	floor := cfg.queueFloor()
	var pairs, radialPass, cut, scored int
	for ci, c := range f.cands {
		if ci%2 != 0 {
			continue
		}
		for _, r := range f.refs {
			tol, score := r.rings.bound(&c.view, &c.rings)
			for i := range r.views {
				v := &r.views[i]
				if got := maskTolerantF(&c.view, v); got > tol {
					t.Fatalf("region %d vs %s at %v°: tolerantF %v over its bound %v", ci, r.logoID, angleAt(i), got, tol)
				}
				if got := shapeScore(&c.view, v); got > score {
					t.Fatalf("region %d vs %s at %v°: score %v over its bound %v", ci, r.logoID, angleAt(i), got, score)
				}
			}
			pairs++
			if r.aniso || radialDist(&c.rad, &r.rad) > cfg.MaxRadial {
				continue
			}
			radialPass++
			if tol <= cfg.CoarseMin || score < floor-refineSlack {
				cut++
			} else if scoreRef(c, r, cfg, floor) > 0 {
				scored++
			}
		}
	}
	t.Logf("%d pairs, %d round ones past the radial profile, %d of them cut by the bound, %d scored", pairs, radialPass, cut, scored)
	if scored == 0 || 4*cut < radialPass {
		t.Errorf("the bound cut %d of %d pairs (%d scored): want a quarter or more cut, and some scored", cut, radialPass, scored)
	}
}
