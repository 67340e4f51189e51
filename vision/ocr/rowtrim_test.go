//go:build cgo

package ocr

import (
	"slices"
	"testing"

	"counterlens/models"
)

// TestRecognizeLongRowWithOutlier: pas_original_stuff_34px.png is a grey
// crop (the JPEG's luma) of BenchmarkOCR's seed 4, sample #115: "PAS
// ORIGINAL" at 34 px, white on a dark band, blurred and noisy, on
// stuff.jpg. The line grows into a blob of the photo beside the band,
// whose stroke is twice the letters': its twelve letters' stroke spread
// is 0.39 with it and 0.06 without. The row check leaves that one stroke
// out of a line this long, and tesseract reads the term.
func TestRecognizeLongRowWithOutlier(t *testing.T) {
	ws, sigs := imageSignals(t, "testdata/pas_original_stuff_34px.png")
	found := false
	for _, s := range sigs {
		found = found || s.Type == models.SignalRiskTerm && s.Value == "not original"
	}
	if !found {
		t.Errorf("read %q, want the risk term \"not original\"", wordsText(ws))
	}
}

// TestRowStatsTrimmed: one stroke of another width passes in a line of
// ten letters or more and fails in a shorter one, where a texture's
// letter-sized blobs are; two such strokes fail in any line.
func TestRowStatsTrimmed(t *testing.T) {
	row := func(n int, odd ...float64) rowStats {
		var vs []float64
		for i := range n - len(odd) {
			vs = append(vs, 0.12+0.01*float64(i%3))
		}
		vs = append(vs, odd...)
		slices.Sort(vs)
		mean, sd := meanSD(vs)
		med := vs[len(vs)/2]
		return rowStats{letters: n, fill: 0.5, stroke: med, spread: sd / mean, trimSpread: trimmedSpread(vs, med), compShare: 1}
	}
	tests := []struct {
		name string
		st   rowStats
		want bool
	}{
		{"even strokes", row(6), true},
		{"long line, one thick blob", row(12, 0.45), true},
		{"long line, one hairline", row(12, 0.01), true},
		{"short line, one thick blob", row(6, 0.45), false},
		{"long line, two thick blobs", row(12, 0.45, 0.5), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.st.passes(); got != tc.want {
				t.Errorf("passes(%+v) = %v, want %v", tc.st, got, tc.want)
			}
		})
	}
}
