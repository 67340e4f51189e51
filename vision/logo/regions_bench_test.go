package logo

import (
	"context"
	"fmt"
	"image"
	"math"
	"testing"
)

// regionSource names the generator a candidate region came from.
type regionSource int

const (
	srcGrey regionSource = iota
	srcWhole
	srcZone
	srcChroma
	numSources
)

var sourceNames = [numSources]string{"grey", "whole", "zone", "chroma"}

// sourcedCandidates is photoCandidates with the generator of each region:
// the same calls in the same order (the count is checked against
// photoCandidates' own).
func sourcedCandidates(tb testing.TB, img image.Image, g grayImage, scale float64, cfg Config) ([]*candidate, []regionSource) {
	tb.Helper()
	ctx := context.Background()
	cands, err := sceneCandidates(ctx, g, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	src := make([]regionSource, len(cands))
	if w := wholeCandidate(g, cfg); w != nil {
		src[len(src)-1] = srcWhole
	}
	seen := make(map[boxKey]bool, len(cands))
	grey := indexBoxes(cands)
	raw, cscale := toRGB(img, min(cfg.ColourSide, max(g.w, g.h)))
	c, err := raw.smoothed()
	if err != nil {
		tb.Fatal(err)
	}
	more, err := colourCandidates(ctx, c, scale/cscale, cfg, seen)
	if err != nil {
		tb.Fatal(err)
	}
	more = grey.dropTwins(more)
	cands = append(cands, more...)
	for range more {
		src = append(src, srcZone)
	}
	if cfg.ChromaStep > 0 {
		if more, err = chromaCandidates(ctx, raw, scale/cscale, cfg, seen); err != nil {
			tb.Fatal(err)
		}
		more = grey.dropTwins(more)
		cands = append(cands, more...)
		for range more {
			src = append(src, srcChroma)
		}
	}
	all, _, err := photoCandidates(ctx, img, g, scale, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if len(all) != len(cands) {
		tb.Fatalf("sourcedCandidates: %d regions, photoCandidates %d", len(cands), len(all))
	}
	return cands, src
}

// nearDuplicate reports whether regions a and b have nearly the same box
// (each side within tol working pixels) and area (within a tenth).
func nearDuplicate(a, b *candidate, tol int) bool {
	d := func(x, y int) bool { return x-y <= tol && y-x <= tol }
	if !d(a.box.Min.X, b.box.Min.X) || !d(a.box.Min.Y, b.box.Min.Y) || !d(a.box.Max.X, b.box.Max.X) || !d(a.box.Max.Y, b.box.Max.Y) {
		return false
	}
	// Colour regions' areas are in colour-raster pixels: compare areas
	// relative to their own boxes.
	fa := a.mo.area / float64(a.src.Dx()*a.src.Dy())
	fb := b.mo.area / float64(b.src.Dx()*b.src.Dy())
	return math.Abs(fa-fb) <= 0.1*math.Max(fa, fb)
}

// regionStats prints, per generator, how many regions the dev set's photos
// get, how many have an aligned view and how many of those any elongated
// reference can ever be compared with (eccentricity window and angle
// gate) and how many matchShapes made, how many are near-duplicates of an
// earlier region (same box within two pixels, fill within a tenth) and
// whether their views are the same grids, and how many regions are ever what matchShapes keeps at
// confidence >= 0.001 and >= 0.5 (COUNTERLENS_BENCH_REGIONS=1).
func regionStats(b *testing.B, d *Detector, set []devImage) {
	cfg := d.cfg
	refs := d.refs.Load().flat
	var (
		n, aligned, alignedUsed, alignedMade, inWindow [numSources]int
		dups, dupSameView                              [numSources][numSources]int
		kept001, kept5, dupKept001, dupKept5, dupLost  [numSources]int
		marks, marksBest, marksBestDup                 int
	)
	for _, im := range set {
		g, scale := toGray(im.img, cfg.MaxSide, false)
		cands, src := sourcedCandidates(b, im.img, g, scale, cfg)
		dupOf := make([]int, len(cands))
		for i, c := range cands {
			s := src[i]
			n[s]++
			dupOf[i] = -1
			for j := range i {
				if nearDuplicate(cands[j], c, 2) {
					dupOf[i] = j
					break
				}
			}
			if j := dupOf[i]; j >= 0 {
				dups[src[j]][s]++
				if cands[j].view.mask == c.view.mask {
					dupSameView[src[j]][s]++
				}
			}
			if c.mo.ecc < anisoCandEcc {
				aligned[s]++
				for _, r := range refs {
					if r.aniso && cfg.inEccWindow(c, r) && math.Abs(wrap90(c.mo.theta-r.mo.theta)) <= maxAngle+angleStep {
						alignedUsed[s]++
						break
					}
				}
			}
			for _, r := range refs {
				if cfg.inEccWindow(c, r) {
					inWindow[s]++
					break
				}
			}
		}
		conf := map[*candidate]float64{}
		best := map[*candidate]string{}
		for _, m := range matchShapes(cands, refs, cfg) {
			conf[m.cand] = cfg.shapeConfidence(m.score, m.second, m.ref.nullMax, max(m.cand.box.Dx(), m.cand.box.Dy()))
			best[m.cand] = m.ref.logoID
		}
		for i, c := range cands {
			s := src[i]
			if c.aligned != nil {
				alignedMade[s]++
			}
			if conf[c] >= 0.001 {
				kept001[s]++
				if dupOf[i] >= 0 {
					dupKept001[s]++
				}
			}
			if conf[c] >= 0.5 {
				kept5[s]++
				if dupOf[i] >= 0 {
					dupKept5[s]++
					if conf[cands[dupOf[i]]] < 0.5 {
						dupLost[s]++
					}
				}
			}
		}
		// Each registered mark's best region: the region over it (box IoU
		// >= 0.5) whose match to the mark's reference is the most confident.
		for k, boxes := range im.gt {
			for _, r := range boxes {
				marks++
				bi, bc := -1, 0.0
				for i, c := range cands {
					if best[c] == k && conf[c] > bc && boxIoU(scaleRect(c.box, 1/scale), r) >= 0.5 {
						bi, bc = i, conf[c]
					}
				}
				if bi >= 0 {
					marksBest++
					if dupOf[bi] >= 0 {
						marksBestDup++
					}
				}
			}
		}
	}
	fmt.Printf("regions: photos=%d refs=%d\n", len(set), len(refs))
	for s := range numSources {
		f := func(v int) float64 { return float64(v) / float64(len(set)) }
		fmt.Printf("regions %-6s a_photo=%.1f in_ecc_window=%.1f aligned=%.1f aligned_usable=%.1f aligned_made=%.1f kept>=0.001=%.2f kept>=0.5=%.2f dup_kept>=0.001=%.2f dup_kept>=0.5=%.2f dup_kept_first_not=%.2f\n",
			sourceNames[s], f(n[s]), f(inWindow[s]), f(aligned[s]), f(alignedUsed[s]), f(alignedMade[s]), f(kept001[s]), f(kept5[s]), f(dupKept001[s]), f(dupKept5[s]), f(dupLost[s]))
	}
	for a := range numSources {
		for s := range numSources {
			if dups[a][s] > 0 {
				fmt.Printf("duplicates %s of earlier %s: %.1f a photo, same view %.1f\n", sourceNames[s], sourceNames[a],
					float64(dups[a][s])/float64(len(set)), float64(dupSameView[a][s])/float64(len(set)))
			}
		}
	}
	fmt.Printf("marks=%d with_best_region=%d best_region_a_duplicate=%d\n", marks, marksBest, marksBestDup)
}
