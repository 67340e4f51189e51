package logo

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGlyphs = flag.Bool("update-glyphs", false, "rewrite nullglyphs/ from the installed fonts")

// glyphFonts are the installed fonts (Debian's fonts-dejavu-core,
// fonts-dejavu-extra and fonts-liberation) the strips in nullglyphs/ are
// rendered from: every upright face, regular and bold, of the sans,
// condensed or narrow sans, serif and mono families.
var glyphFonts = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed.ttf",
	"/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed-Bold.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
	"/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
}

// TestGlyphStripsMatchFonts renders each face of glyphFonts again and
// checks the embedded strip is that rendering, pixel for pixel, with no
// glyph cut by its cell; with -update-glyphs it rewrites the strips. A face
// that is not installed is skipped.
func TestGlyphStripsMatchFonts(t *testing.T) {
	for _, path := range glyphFonts {
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		t.Run(name, func(t *testing.T) {
			ttf, err := os.ReadFile(path)
			if err != nil {
				missingFont(t, err)
				t.Skipf("font not installed: %v", err)
			}
			s, err := glyphStrip(ttf)
			if err != nil {
				t.Fatal(err)
			}
			for x := 0; x < s.Rect.Dx(); x++ {
				for _, y := range []int{0, glyphCanvas - 1} {
					if s.ColorIndexAt(x, y) != 0 {
						t.Fatalf("glyph %d touches its cell's top or bottom", x/glyphCanvas)
					}
				}
			}
			for i := range len(glyphRunes) {
				for y := range glyphCanvas {
					if s.ColorIndexAt(i*glyphCanvas, y) != 0 || s.ColorIndexAt((i+1)*glyphCanvas-1, y) != 0 {
						t.Fatalf("glyph %q touches its cell's side", glyphRunes[i])
					}
				}
			}
			file := "nullglyphs/" + name + ".png"
			if *updateGlyphs {
				var b bytes.Buffer
				if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, s); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := readStrip(file)
			if err != nil {
				t.Fatal(err)
			}
			if got.Rect != s.Rect || !bytes.Equal(got.Pix, s.Pix) {
				t.Errorf("%s differs from the font's rendering: run go test -run TestGlyphStripsMatchFonts -update-glyphs", file)
			}
		})
	}
}

// TestGlyphCorpusCalibratesLettersOfOtherTypefaces: a reference that is a
// letter (a monogram mark) fits the same letter in scene text of any
// typeface. Rendered from slanted faces, which the corpus does not hold,
// letters must still reach a null level that puts their reporting
// threshold (nullMax plus NullMargin) at least 0.1 above ShapeMid, as
// real text of another typeface would: with the Go fonts alone a
// condensed bold "K" stayed at 0.59, so scene text was reported as the mark.
func TestGlyphCorpusCalibratesLettersOfOtherTypefaces(t *testing.T) {
	cfg := DefaultConfig()
	null, err := nullCandidates(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-BoldOblique.ttf",
		"/usr/share/fonts/truetype/liberation/LiberationSansNarrow-BoldItalic.ttf",
		"/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
	} {
		ttf, err := os.ReadFile(path)
		if err != nil {
			missingFont(t, err)
			t.Logf("font not installed: %v", err)
			continue
		}
		s, err := glyphStrip(ttf)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range glyphRunes {
			if !strings.ContainsRune("AGKRSk", r) {
				continue
			}
			img := image.NewGray(image.Rect(0, 0, glyphCanvas, glyphCanvas))
			for y := range glyphCanvas {
				for x := range glyphCanvas {
					img.Pix[y*glyphCanvas+x] = 255 * (1 - s.ColorIndexAt(i*glyphCanvas+x, y))
				}
			}
			p, err := prepare(Reference{LogoID: "letter", BrandID: "letter", Image: img}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := nullScore(p, null, cfg); got+cfg.NullMargin < cfg.ShapeMid+0.1 {
				t.Errorf("%s %q: null level %.3f, want at least %.3f", filepath.Base(path), r, got, cfg.ShapeMid+0.1-cfg.NullMargin)
			}
		}
	}
}

// missingFont fails t when the fonts must be there: make test installs
// fonts-dejavu-core, fonts-dejavu-extra and fonts-liberation
// (scripts/bench-data.sh), so a missing face is a broken install, not a
// reason to check less.
func missingFont(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("COUNTERLENS_TEST_ALL_DEPS") != "" {
		t.Fatalf("font not installed although make test installs it: %v", err)
	}
}
