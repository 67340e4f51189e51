package text

import (
	"slices"
	"strings"
	"testing"

	"counterlens/models"
)

// lineWords lays out a reading as tesseract returns it, word by word on
// one line, left to right.
func lineWords(reading string) []models.Word {
	var ws []models.Word
	x := 0
	for _, f := range strings.Fields(reading) {
		w := 12 * len([]rune(f))
		ws = append(ws, models.Word{Text: f, Confidence: 0.9, BBox: models.BBox{X: x, Y: 10, W: w, H: 20}})
		x += w + 8
	}
	return ws
}

// TestOCRReadings: what tesseract read on the benchmark's fresh study
// seeds (BenchmarkOCR with COUNTERLENS_BENCH_SEEDS=2,3,4,5, -v), word for
// word, gives back what was written: an 8 read as & in a handle, a
// handle's underscore read as a space, a doubled letter in the messenger
// word before its colon, the w of www doubled, the space of a two-word
// term lost. The readings around them that must stay silent are here too.
func TestOCRReadings(t *testing.T) {
	m := testMatcher(t)
	type sig struct{ typ, kind, value string }
	tests := []struct {
		name    string
		reading string
		want    []sig
	}{
		// seed5 #57 "WeChat: shoeking88" 16 px, blur, noise
		{"8 read as &", "WeChat: shoeking&8", []sig{{"contact", "wechat", "shoeking88"}}},
		// seed2 #148 and seed4 #101 "VX: lux_bags" 16 and 20 px, blur
		// dev #8 "WeChat: shoeking88" 48 px: a speck after the handle
		{"& after the handle", "sta @eot WeChat: shoeking88&", []sig{{"contact", "wechat", "shoeking88"}}},
		{"underscore read as a space", "VX: lux bags AN Wie", []sig{{"contact", "wechat", "lux_bags"}}},
		{"underscore read as a space alone", "VX: lux bags", []sig{{"contact", "wechat", "lux_bags"}}},
		// seed4 #155 "WeChat: shoeking88" 20 px, blur
		{"messenger label misread", "WecChat: shoeking88 %ee®", []sig{{"contact", "wechat", "shoeking88"}}},
		// seed2 #92 "www.replica-shop.top" 16 px, blur
		{"www read with a w more", "wwww.replica-shop.top sta %ee®",
			[]sig{{"contact", "url", "replica-shop.top"}, {"risk_term", "", "replica"}}},
		{"www read with a w less", "ww.replica-shop.top", []sig{{"contact", "url", "replica-shop.top"}, {"risk_term", "", "replica"}}},
		// seed2 #8 "UA VERSION" 20 px, noise
		{"two-word term read as one", "@eot bee ge 1 UAVERSION", []sig{{"risk_term", "", "ua"}}},
		{"not original run together", "NOTORIGINAL", []sig{{"risk_term", "", "not original"}}},

		// silent
		{"a word after the label is no handle", "WeChat: add me", nil},
		{"two words after the label", "TG: ask now", nil},
		{"label too far from a messenger word", "Weather: sunny days", nil},
		{"ampersand between words", "WeChat: shoes & bags", nil},
		{"a host named ww keeps its name", "ww.com", []sig{{"contact", "url", "ww.com"}}},
		{"join under eight letters", "TOPCOPY", nil},
		{"joined term inside a longer word", "uaversions", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []sig
			for _, s := range m.FindWords(lineWords(tc.reading), Options{Source: models.SourceImageText}) {
				if s.Type == models.SignalContact || s.Type == models.SignalRiskTerm {
					got = append(got, sig{string(s.Type), s.Kind, s.Value})
				}
			}
			slices.SortFunc(got, func(a, b sig) int { return strings.Compare(a.typ+a.value, b.typ+b.value) })
			if !slices.Equal(got, tc.want) {
				t.Errorf("FindWords(%q) = %v, want %v", tc.reading, got, tc.want)
			}
		})
	}
}
