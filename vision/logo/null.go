package logo

import (
	"context"
	"embed"
	"fmt"
	"image"
	_ "image/jpeg" // the null corpus is JPEG
	"io/fs"
	"math"
)

// nullFS is the null corpus: photos without any brand mark (a chessboard,
// candies, a cluttered desk, graffiti, a keyboard, a street, blocks). Every
// reference is scored against their regions once, when prepared; the best
// such score is what that reference reaches by chance on real texture, and
// its reporting threshold is set above it. So a reference that fits
// chessboard corners or candy (simple badges, bow-ties, rings) needs a
// better fit to be reported than a distinctive one, and a threshold on
// Confidence means the same for both.
//
//go:embed nullscenes/*.jpg
var nullFS embed.FS

// nullCandidates extracts the candidate regions of the null corpus.
func nullCandidates(cfg Config) ([]*candidate, error) {
	return nullCorpusWith(cfg, glyphCandidates)
}

// nullCorpusWith extracts the candidate regions of the null corpus's photos,
// of the glyphs glyphs returns, and of the primitives.
func nullCorpusWith(cfg Config, glyphs func(Config) ([]*candidate, error)) ([]*candidate, error) {
	names, err := fs.Glob(nullFS, "nullscenes/*.jpg")
	if err != nil {
		return nil, err
	}
	var out []*candidate
	for _, n := range names {
		f, err := nullFS.Open(n)
		if err != nil {
			return nil, err
		}
		img, _, err := image.Decode(f)
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("logo: null corpus %s: %w", n, err)
		}
		g, scale := toGray(img, cfg.MaxSide, false)
		cs, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	gs, err := glyphs(cfg)
	if err != nil {
		return nil, err
	}
	out = append(out, gs...)
	return append(out, primitiveCandidates(cfg)...), nil
}

// nullScore is the best score p reaches on the null corpus (0 when nothing
// comes near the reporting range).
func nullScore(p *prepared, null []*candidate, cfg Config) float64 {
	return nullBest(p, null, cfg, scoreRef)
}

// fineNullTop is how many of a reference's best-fitting null-corpus
// regions its fine outline is compared with (see nullCalibration).
const fineNullTop = 4

// wordRank is the rank of the common-word region whose score is a
// reference's chance level on printed text (see nullCalibration): the
// fifth best of the 2,478, a level that five regions of words reach, so
// that one odd piece in one face does not set it. Of 703 simple-icons
// marks, 15 (wordmarks: cora, fujitsu, arm, obb, wix...) have it over
// ShapeMid less NullMargin, where it moves their midpoint; none of our 16
// brands does (Samsung 0.636, Sony 0.631, Fila 0.624, their null-corpus
// bests 0.59-0.62). Their best word alone, the max, would lift 61, and
// Samsung's midpoint with them (0.675: a 70 px Samsung was lost when
// session 10 tried it).
const wordRank = 5

// nullCalibration returns p's chance levels: nullMax, the midpoint's, the
// higher of its best score on the null corpus null (nullScore) and its
// wordRank-th best score on the common words (words, see words.go); and
// its fine outline's, what nullMax is to the score: the best fineOutline
// fit of p on the fineNullTop regions of null and of words its silhouette
// fits best over the null corpus's floor, 0 when none reaches it. A
// wordmark fits scene text about as well as its own mark where the
// letters they share sit ("cora" the printed word "comp"), a distinctive
// mark fits no word: the midpoint of a reference that fits words rises
// over what printed text scores, and the learned decision reads a
// match's fine fit over its fine level (fFineOverNull).
func nullCalibration(p *prepared, null, words []*candidate, cfg Config) (nullMax, fineNull float64) {
	floor := cfg.ShapeMid - 0.1
	// top are the regions the fine outline reads, wordTop the best word
	// regions, each best first.
	var top, wordTop []scoredRegion
	for k, c := range append(null[:len(null):len(null)], words...) {
		if !cfg.inEccWindow(c, p) {
			continue
		}
		s := scoreRef(c, p, cfg, floor)
		if k < len(null) {
			nullMax = math.Max(nullMax, s)
		} else if s >= floor {
			wordTop = keepBest(wordTop, scoredRegion{c, s}, wordRank)
		}
		if s < floor || p.tmpl.w == 0 {
			continue
		}
		top = keepBest(top, scoredRegion{c, s}, fineNullTop)
	}
	for _, t := range top {
		// A copy: the pose search caches shifted views on the region,
		// and the null corpus is the detector's for its whole life.
		c := *t.c
		c.shifts, c.alignedShifts = nil, nil
		rg, ok := regionGrid(&c)
		if !ok {
			continue
		}
		// The raster sizes only scale a colour region's coordinates to
		// the grey raster and back (refPose, fineOutline): equal, they
		// cancel.
		if v, ok := fineOutline(&c, &rg, p, grayImage{w: 1, h: 1}, rgbImage{w: 1, h: 1}); ok {
			fineNull = math.Max(fineNull, v)
		}
	}
	if len(wordTop) == wordRank {
		nullMax = math.Max(nullMax, wordTop[wordRank-1].s)
	}
	return nullMax, fineNull
}

// scoredRegion is a region and a reference's score on it.
type scoredRegion struct {
	c *candidate
	s float64
}

// keepBest inserts x into top, held best score first (an earlier equal
// score first), and keeps at most n.
func keepBest(top []scoredRegion, x scoredRegion, n int) []scoredRegion {
	i := len(top)
	for i > 0 && top[i-1].s < x.s {
		i--
	}
	if i >= n {
		return top
	}
	top = append(top[:i], append([]scoredRegion{x}, top[i:]...)...)
	return top[:min(len(top), n)]
}

// nullBest is the best score of p on the regions of null in its
// eccentricity window by score, with the null corpus's floor.
func nullBest(p *prepared, null []*candidate, cfg Config, score func(*candidate, *prepared, Config, float64) float64) float64 {
	floor := cfg.ShapeMid - 0.1
	best := 0.0
	for _, c := range null {
		if cfg.inEccWindow(c, p) {
			best = math.Max(best, score(c, p, cfg, floor))
		}
	}
	return best
}

// primitiveCandidates are plain geometric shapes, one region each: rings
// and frames (round and rectangular, several aspect ratios and stroke
// widths), discs, boxes, triangles, crescents and crosses. Photos hold them
// everywhere (wheels, buttons, lids, frames, signs, and the badges of
// unregistered marks), and a reference that is one of them, or close to
// one (a plain ring), fits all of them: calibrated above that fit, it is
// reported only where it fits clearly better than a primitive does.
func primitiveCandidates(cfg Config) []*candidate {
	const n = 128
	c := float64(n) / 2
	type shape func(x, y float64) bool // x, y in [-1, 1]
	var shapes []shape
	for _, asp := range []float64{1, 0.75, 0.5} {
		for _, th := range []float64{0.08, 0.12, 0.17, 0.24, 0.33, 0.45} {
			ring := func(x, y float64) bool {
				r := math.Hypot(x, y/asp)
				return r <= 0.95 && r >= 0.95*(1-th)
			}
			frame := func(x, y float64) bool {
				in := math.Abs(x) <= 0.95 && math.Abs(y) <= 0.95*asp
				hole := math.Abs(x) < 0.95*(1-th) && math.Abs(y) < 0.95*asp-0.95*th
				return in && !hole
			}
			shapes = append(shapes, ring, frame)
		}
		shapes = append(shapes,
			func(x, y float64) bool { return math.Hypot(x, y/asp) <= 0.95 },
			func(x, y float64) bool { return math.Abs(x) <= 0.95 && math.Abs(y) <= 0.95*asp },
			func(x, y float64) bool { // crescent
				return math.Hypot(x, y/asp) <= 0.95 && math.Hypot(x-0.45, y/asp) > 0.8
			},
			func(x, y float64) bool { // triangle
				return y <= 0.9*asp && y >= -0.9*asp && math.Abs(x) <= 0.95*(0.9*asp-y)/(1.8*asp)
			},
			func(x, y float64) bool { // cross
				return (math.Abs(x) <= 0.95 && math.Abs(y) <= 0.2*asp) || (math.Abs(y) <= 0.95*asp && math.Abs(x) <= 0.2)
			},
		)
	}
	var out []*candidate
	pix := make([]uint8, n*n)
	for _, in := range shapes {
		for y := range n {
			for x := range n {
				pix[y*n+x] = 0
				if in((float64(x)+0.5-c)/c, (float64(y)+0.5-c)/c) {
					pix[y*n+x] = 1
				}
			}
		}
		out = addCandidate(out, pix, image.Rect(0, 0, n, n), cfg)
	}
	return out
}
