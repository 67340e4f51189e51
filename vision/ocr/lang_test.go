//go:build cgo

package ocr

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"

	"counterlens/models"
)

// tessdataDirs are where Debian's tesseract-ocr-* packages put their
// traineddata files.
var tessdataDirs = []string{"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata"}

// haveLanguage reports whether tesseract's data for lang is installed.
func haveLanguage(lang string) bool {
	dirs := tessdataDirs
	if d := os.Getenv("TESSDATA_PREFIX"); d != "" {
		dirs = append([]string{d}, dirs...)
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, lang+".traineddata")); err == nil {
			return true
		}
	}
	return false
}

// TestRecognizeLanguages reads the lexicon's risk terms with diacritics,
// each with English plus the language that writes it, from a banner on a
// real photo, and checks the canonical term is found. A language whose
// tesseract-ocr-<lang> package is missing is skipped (make test installs
// them through scripts/deps.sh).
func TestRecognizeLanguages(t *testing.T) {
	if testing.Short() {
		t.Skip("tesseract")
	}
	photo := loadImage(t, "testdata/building.jpg")
	bold := loadFont(t, "testdata/LiberationSans-Bold.ttf")
	tests := []struct {
		lang, phrase, want string
	}{
		{"spa", "réplica exacta", "replica"},
		{"fra", "contrefaçon", "counterfeit"},
		{"spa", "falsificación", "counterfeit"},
		{"pol", "podróbka", "counterfeit"},
		{"ces", "padělek", "counterfeit"},
		{"nld", "namaak", "counterfeit"},
		{"deu", "Fälschung", "counterfeit"},
		{"ita", "non originale", "not original"},
	}
	for _, tc := range tests {
		t.Run(tc.lang+" "+tc.phrase, func(t *testing.T) {
			if !haveLanguage(tc.lang) {
				// make test installs every language (scripts/deps.sh): there,
				// a missing one is a broken install, not a reason to skip.
				if os.Getenv("COUNTERLENS_TEST_ALL_DEPS") != "" {
					t.Fatalf("no %s.traineddata although make test installs tesseract-ocr-%s", tc.lang, tc.lang)
				}
				t.Skipf("no %s.traineddata: apt-get install tesseract-ocr-%s", tc.lang, tc.lang)
			}
			cfg := DefaultConfig()
			cfg.Workers = 1
			cfg.Languages = []string{"eng", tc.lang}
			p, err := NewPool(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			for _, dark := range []bool{false, true} {
				img, _ := render(t, photo, bold, banner{Text: tc.phrase, Size: 26, At: image.Pt(40, 180), Dark: dark})
				ws, err := p.Recognize(context.Background(), img)
				if err != nil {
					t.Fatal(err)
				}
				if hasSignal(signalsOf(ws), want{typ: models.SignalRiskTerm, value: tc.want}) == nil {
					t.Errorf("dark=%v: %q not found as %q; read %q", dark, tc.phrase, tc.want, words(ws))
				}
			}
		})
	}
}
