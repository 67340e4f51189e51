package text

import (
	"slices"
	"testing"

	"counterlens/models"
)

// TestRunTogether: words OCR read without the space between them (the
// readings are tesseract's, from BenchmarkOCR's dev set) or that sellers
// ran together are split into known pieces; ordinary words made partly
// of known pieces are not.
func TestRunTogether(t *testing.T) {
	m := testMatcher(t)
	tests := []struct {
		name   string
		text   string
		brands []string
		terms  []string
	}{
		{"ocr lost the space", "REPLICANIKE WhatsApp +44 7911 123456", []string{"nike"}, []string{"replica"}},
		{"leet piece", "REPLICAN1KE", []string{"nike"}, []string{"replica"}},
		{"brand first", "guccifake", []string{"gucci"}, []string{"fake"}},
		{"two terms and a brand", "superkopieRolex", []string{"rolex"}, []string{"super copy"}},
		{"term context still counts", "not REPLICANIKE", []string{"nike"}, nil},
		{"brands alone are not split", "NIKEGUCCI", nil, nil},
		{"copyright", "Copyright 2024", nil, nil},
		{"photocopy", "photocopy", nil, nil},
		{"copycat", "copycats", nil, nil},
		{"fakeness", "fakeness", nil, nil},
		{"short pieces do not count", "replicaaaa uaoem", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sigs := m.FindText(tc.text, Options{Source: models.SourceImageText})
			var brands, terms []string
			for _, s := range sigs {
				switch s.Type {
				case models.SignalImageTextBrand:
					brands = append(brands, s.BrandID)
				case models.SignalRiskTerm:
					terms = append(terms, s.Value)
				}
			}
			if !slices.Equal(brands, tc.brands) || !slices.Equal(terms, tc.terms) {
				t.Errorf("FindText(%q) brands %v terms %q, want %v %q", tc.text, brands, terms, tc.brands, tc.terms)
			}
		})
	}
}
