package logo

import (
	"context"
	"embed"
	"fmt"
	"image"
	_ "image/jpeg" // the null corpus is JPEG
	"io/fs"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
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
	glyphs, err := glyphCandidates(cfg)
	if err != nil {
		return nil, err
	}
	out = append(out, glyphs...)
	return append(out, primitiveCandidates(cfg)...), nil
}

// glyphRunes are the characters of the glyph part of the null corpus.
const glyphRunes = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz&@%#?"

// glyphCandidates are the letters, digits and a few signs of the Go fonts
// (regular, bold, monospace), one region each. Letters are the commonest
// mark-like shapes in listing photos: a reference that fits one (a plain
// ring fits "O", an "S" badge fits "S") is calibrated above that fit, as
// it is above the photos' textures, so a threshold on confidence keeps its
// meaning for it. They are shapes every photo may hold, not marks of any
// benchmark.
func glyphCandidates(cfg Config) ([]*candidate, error) {
	const size, canvas = 96, 160
	var out []*candidate
	for _, ttf := range [][]byte{goregular.TTF, gobold.TTF, gomono.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("logo: glyph corpus: %w", err)
		}
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return nil, fmt.Errorf("logo: glyph corpus: %w", err)
		}
		for _, r := range glyphRunes {
			img := image.NewAlpha(image.Rect(0, 0, canvas, canvas))
			d := font.Drawer{Dst: img, Src: image.Opaque, Face: face, Dot: fixed.P(30, 120)}
			d.DrawString(string(r))
			x0, y0, x1, y1 := canvas, canvas, -1, -1
			for y := range canvas {
				for x := range canvas {
					if img.Pix[y*img.Stride+x] >= 128 {
						x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
					}
				}
			}
			if x1 < 0 {
				continue
			}
			box := image.Rect(x0, y0, x1+1, y1+1)
			pix := make([]uint8, 0, box.Dx()*box.Dy())
			for y := y0; y <= y1; y++ {
				for x := x0; x <= x1; x++ {
					pix = append(pix, img.Pix[y*img.Stride+x]/128)
				}
			}
			out = addCandidate(out, pix, box, cfg)
		}
		_ = face.Close()
	}
	return out, nil
}

// nullScore is the best score p reaches on the null corpus (0 when nothing
// comes near the reporting range).
func nullScore(p *prepared, null []*candidate, cfg Config) float64 {
	floor := cfg.ShapeMid - 0.1
	best := 0.0
	for _, c := range null {
		if cfg.inEccWindow(c, p) {
			best = math.Max(best, scoreRef(c, p, cfg, floor))
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
