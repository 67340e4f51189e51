//go:build cgo

package ocr

import (
	"context"
	"image"
	"slices"
	"strings"
	"testing"

	"counterlens/models"
	"counterlens/vision/text"
)

// The fixtures below are grey crops of BenchmarkOCR's dev set (seed 1),
// stored as 8-bit grey PNG so that the search sees the very pixels it saw
// in the benchmark: n1ke_orange_16px.png is sample #69 (N1KE at 16 px,
// blurred, light on a dark band on orange.jpg), ad1das_stuff_34px.png is
// the line of sample #115 (AD1DAS at 34 px on stuff.jpg, with its margin).

func TestSplitRow(t *testing.T) {
	letter := func(x, w int) blob { return blob{x: x, y: 10, w: w, h: 6} }
	tests := []struct {
		name string
		row  []blob
		want [][]int // x of each piece's first and last blob
	}{
		{"even letters", []blob{letter(0, 4), letter(5, 4), letter(10, 4), letter(15, 4)}, nil},
		{"blob beside a banner", []blob{letter(180, 4), letter(189, 5), letter(196, 2), letter(199, 11)},
			[][]int{{189, 199}}},
		{"two words", []blob{letter(0, 4), letter(5, 4), letter(10, 4), letter(30, 4), letter(35, 4), letter(40, 4)},
			[][]int{{0, 10}, {30, 40}}},
		{"spaced letters", []blob{letter(0, 4), letter(9, 4), letter(18, 4), letter(27, 4), letter(36, 4)}, nil},
		{"pieces too short", []blob{letter(0, 4), letter(5, 4), letter(20, 4), letter(25, 4)}, nil},
		{"three blobs", []blob{letter(0, 4), letter(20, 4), letter(25, 4)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got [][]int
			for _, p := range splitRow(tc.row) {
				got = append(got, []int{p[0].x, p[len(p)-1].x})
			}
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("splitRow = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRecognizeRowBesideBanner: the letter row of a small blurred brand
// takes in a blob of the photo just left of its band, which makes the
// row's box three-toned; the row's part right of the wide gap is read.
func TestRecognizeRowBesideBanner(t *testing.T) {
	p := newTestPool(t, 1)
	ws, err := p.Recognize(context.Background(), loadImage(t, "testdata/n1ke_orange_16px.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !hasBrand(ws, "nike") {
		t.Errorf("read %q, want Nike", wordsText(ws))
	}
}

// TestReadLineRereadsUnsure: tesseract reads this line, at the target
// height, as "ADIDAS" at 3 % confidence, under the floor; a quarter
// larger it reads "AD1DAS" at well over 80 %. readLine reads again at the
// larger size instead of taking the other polarity's "ap pa".
func TestReadLineRereadsUnsure(t *testing.T) {
	p := newTestPool(t, 1)
	img := loadImage(t, "testdata/ad1das_stuff_34px.png")
	g, err := grayMat(img)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	c := <-p.clients
	defer func() { p.clients <- c }()
	r := image.Rect(0, 0, g.Cols(), g.Rows())

	// the quirk this guards against: one size alone drops the word
	s := float64(p.cfg.TargetHeight) / (float64(r.Dy()) / 1.5)
	first, _, _, dropped, err := p.readScaled(c, g, s, true, readFirst)
	if err != nil {
		t.Fatal(err)
	}
	if !dropped || hasBrand(first, "adidas") {
		t.Logf("tesseract now reads %q at the target size (dropped a word: %v): the reread is not exercised", wordsText(first), dropped)
	}

	ws, err := p.readLine(c, g, r, true)
	if err != nil {
		t.Fatal(err)
	}
	if !hasBrand(ws, "adidas") {
		t.Errorf("read %q, want Adidas", wordsText(ws))
	}
}

func hasBrand(ws []models.Word, id string) bool {
	for _, s := range brandMatcher.FindWords(ws, text.Options{Source: models.SourceImageText}) {
		if s.Type == models.SignalImageTextBrand && s.BrandID == id {
			return true
		}
	}
	return false
}

var brandMatcher = text.NewMatcher([]models.Brand{{ID: "nike", Name: "Nike"}, {ID: "adidas", Name: "Adidas"}}, nil)

func wordsText(ws []models.Word) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.Text)
	}
	return strings.Join(s, " ")
}

func TestWordShaped(t *testing.T) {
	tests := map[string]bool{
		"ADIDAS": true, "AD1DAS": true, "Paty": true, "Fälschung": true,
		"oe": false, "wie": false, "¢°¢@": false, "95°42)": false, "eAaia@iine": false, "KX,": false,
	}
	for in, want := range tests {
		if got := wordShaped(in); got != want {
			t.Errorf("wordShaped(%q) = %v, want %v", in, got, want)
		}
	}
}
