package logo

import (
	"embed"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// This file holds the glyph part of the null corpus: the letters, digits
// and a few signs as scene text prints them. The Go fonts are rendered when
// the detector starts; the other typefaces (the upright faces of DejaVu and
// Liberation: sans, condensed and narrow sans, serif, mono, each regular
// and bold) are kept as pre-rendered strips in nullglyphs/, one 1-bit PNG
// per face, so the calibration does not depend on the fonts a machine has
// installed. TestGlyphStripsMatchFonts renders them again from the
// installed fonts and checks, or with -update-glyphs rewrites, the strips.

// glyphRunes are the characters of the glyph part of the null corpus.
const glyphRunes = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz&@%#?"

// glyphSize is the size in pixels glyphs are drawn at, each on a
// glyphCanvas-square cell with its baseline at glyphBaseline.
const glyphSize, glyphCanvas, glyphBaseline = 96, 160, 120

//go:embed nullglyphs/*.png
var glyphFS embed.FS

// glyphStrip renders glyphRunes in the TrueType or OpenType font ttf side
// by side, one cell each, as a two-colour image (index 1 is ink, where the
// glyph's coverage is at least half).
func glyphStrip(ttf []byte) (*image.Paletted, error) {
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("logo: glyph corpus: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: glyphSize, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("logo: glyph corpus: %w", err)
	}
	defer face.Close()
	n := len([]rune(glyphRunes))
	cov := image.NewAlpha(image.Rect(0, 0, n*glyphCanvas, glyphCanvas))
	for i, r := range []rune(glyphRunes) {
		cell := cov.SubImage(image.Rect(i*glyphCanvas, 0, (i+1)*glyphCanvas, glyphCanvas)).(*image.Alpha)
		d := font.Drawer{Dst: cell, Src: image.Opaque, Face: face, Dot: fixed.P(i*glyphCanvas+30, glyphBaseline)}
		d.DrawString(string(r))
	}
	out := image.NewPaletted(cov.Rect, color.Palette{color.Black, color.White})
	for i, a := range cov.Pix {
		if a >= 128 {
			out.Pix[i] = 1
		}
	}
	return out, nil
}

// stripCandidates adds one region per non-blank cell of a glyph strip. It
// reads the strip's palette indices straight from Pix: every New builds the
// null corpus, and a ColorIndexAt call a pixel of the 18 strips (two
// passes) was about a tenth of the glyph regions' 0.4 s.
func stripCandidates(out []*candidate, s *image.Paletted, cfg Config) []*candidate {
	for x0 := s.Rect.Min.X; x0+glyphCanvas <= s.Rect.Max.X; x0 += glyphCanvas {
		cell := image.Rect(x0, s.Rect.Min.Y, x0+glyphCanvas, s.Rect.Min.Y+glyphCanvas).Intersect(s.Rect)
		x1, y1, x2, y2 := cell.Max.X, cell.Max.Y, cell.Min.X-1, cell.Min.Y-1
		for y := cell.Min.Y; y < cell.Max.Y; y++ {
			row := s.Pix[s.PixOffset(cell.Min.X, y):][:cell.Dx()]
			for i, v := range row {
				if v != 0 {
					x := cell.Min.X + i
					x1, y1, x2, y2 = min(x1, x), min(y1, y), max(x2, x), max(y2, y)
				}
			}
		}
		if x2 < x1 {
			continue
		}
		box := image.Rect(x1, y1, x2+1, y2+1)
		pix := make([]uint8, 0, box.Dx()*box.Dy())
		for y := box.Min.Y; y < box.Max.Y; y++ {
			for _, v := range s.Pix[s.PixOffset(box.Min.X, y):][:box.Dx()] {
				pix = append(pix, min(v, 1))
			}
		}
		out = addCandidate(out, pix, box.Sub(cell.Min), cfg)
	}
	return out
}

// glyphCandidates are the letters, digits and signs of the Go fonts
// (regular, bold, monospace) and of the faces in nullglyphs/, one region
// each. Letters are the commonest mark-like shapes in listing photos: a
// reference that fits one (a plain ring fits "O", an "S" badge fits "S", a
// monogram fits a bold condensed "K") is calibrated above that fit, as it
// is above the photos' textures, so a threshold on confidence keeps its
// meaning for it. Scene text comes in many typefaces, so one family would
// leave letter-like references under the level real text gives them. They
// are shapes every photo may hold, not marks of any benchmark.
func glyphCandidates(cfg Config) ([]*candidate, error) {
	out, err := goGlyphCandidates(cfg)
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(glyphFS, "nullglyphs/*.png")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		s, err := readStrip(n)
		if err != nil {
			return nil, err
		}
		out = stripCandidates(out, s, cfg)
	}
	return out, nil
}

// goGlyphCandidates are the glyph regions of the Go fonts alone (regular,
// bold, monospace), the whole glyph corpus before nullglyphs/ joined it.
func goGlyphCandidates(cfg Config) ([]*candidate, error) {
	var out []*candidate
	for _, ttf := range [][]byte{goregular.TTF, gobold.TTF, gomono.TTF} {
		s, err := glyphStrip(ttf)
		if err != nil {
			return nil, err
		}
		out = stripCandidates(out, s, cfg)
	}
	return out, nil
}

// readStrip decodes the embedded glyph strip n.
func readStrip(n string) (*image.Paletted, error) {
	f, err := glyphFS.Open(n)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("logo: glyph corpus %s: %w", n, err)
	}
	s, ok := img.(*image.Paletted)
	if !ok || len(s.Palette) != 2 || s.Rect.Dy() != glyphCanvas {
		return nil, fmt.Errorf("logo: glyph corpus %s: not a two-colour strip of %d-px cells", n, glyphCanvas)
	}
	return s, nil
}
