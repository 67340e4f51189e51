package text

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"counterlens/models"
)

// dictPath is the word list of Debian's wamerican package
// (apt-get install wamerican).
const dictPath = "/usr/share/dict/american-english"

// BenchmarkDictionary runs every word of an English dictionary through the
// brand matcher and reports how many ordinary words were taken for a brand
// (words that are brand names themselves, such as "apple", are left out)
// and how many were split as run-together pieces ("split").
func BenchmarkDictionary(b *testing.B) {
	f, err := os.Open(dictPath)
	if err != nil {
		b.Skipf("no dictionary (apt-get install wamerican): %v", err)
	}
	defer f.Close()
	m := testMatcher(b)
	names := map[string]bool{}
	for _, br := range testBrands(b) {
		for _, n := range append([]string{br.Name}, br.Aliases...) {
			names[foldString(n)] = true
		}
	}
	var words []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := sc.Text()
		if !names[foldString(w)] && !strings.HasSuffix(w, "'s") {
			words = append(words, w)
		}
	}
	b.ReportAllocs()
	var flagged, split []string
	for b.Loop() {
		flagged, split = flagged[:0], split[:0]
		for _, w := range words {
			for _, s := range m.FindText(w, listing) {
				if s.Type == models.SignalListingTextBrand {
					flagged = append(flagged, w)
				}
			}
			nt := normalize(w)
			toks := nt.tokens()
			if rb, rt := m.splitRunTogether(&nt, toks, m.findBrands(&nt, toks), m.lex.find(&nt, toks)); len(rb)+len(rt) > 0 {
				split = append(split, w)
			}
		}
	}
	b.ReportMetric(float64(len(words)), "words")
	b.ReportMetric(float64(len(flagged)), "flagged")
	b.ReportMetric(float64(len(split)), "split")
	b.Logf("%d of %d dictionary words taken for a brand: %v", len(flagged), len(words), flagged)
	b.Logf("%d of %d dictionary words split into run-together pieces: %v", len(split), len(words), split)
}

func BenchmarkFindText(b *testing.B) {
	m := testMatcher(b)
	s := strings.Repeat("Brand new N1KE Air Max 1:1 mirror quality, AAA+ replica. WhatsApp +44 7700 900123 or WeChat: shoeking88, t.me/sneakerplug. Free shipping, original box. ", 4)
	b.ReportAllocs()
	for b.Loop() {
		m.FindText(s, listing)
	}
}

func BenchmarkNewMatcher(b *testing.B) {
	brands := testBrands(b)
	lex := DefaultLexicon()
	b.ReportAllocs()
	for b.Loop() {
		NewMatcher(brands, lex)
	}
}
