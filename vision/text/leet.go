package text

import (
	"slices"
	"unicode"
)

// costLeetInserted ranks a leet spelling read with one letter too many
// ("N1iKE") after exact and close fuzzy matches.
const costLeetInserted = 0.5

// isLeet reports whether folded rune r is a digit or symbol standing for
// a letter (the 1 of "N1KE", the @ of "ADID@S").
func isLeet(r rune) bool {
	k := skelRune(r)
	return !unicode.IsLetter(r) && k >= 0 && unicode.IsLetter(k)
}

// appendLeet appends the skeleton of the folded word w to skel and, rune
// for rune, whether it came from a leet digit or symbol to leet.
func appendLeet(skel []rune, leet []bool, w string) ([]rune, []bool) {
	for _, r := range w {
		if k := skelRune(r); k >= 0 {
			skel = append(skel, k)
			leet = append(leet, isLeet(r))
		}
	}
	return skel, leet
}

// leetInserted returns the keys of four or more letters that skeleton rs
// spells once one letter beside a leet digit or symbol is dropped: OCR
// splits the "1" of "N1KE" into "1i" or "1l" (read "N1iKE"). Only spans
// written in leetspeak qualify, so no dictionary word is affected, and
// short names (LV, MK) still need their exact letters.
func (m *Matcher) leetInserted(rs []rune, leet []bool) []int {
	var out []int
	buf := make([]rune, 0, len(rs))
	for p := range rs {
		if leet[p] || !(p > 0 && leet[p-1] || p+1 < len(rs) && leet[p+1]) {
			continue
		}
		buf = append(append(buf[:0], rs[:p]...), rs[p+1:]...)
		for _, k := range m.exact[string(buf)] {
			if len(m.keys[k].skel) >= 4 && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}
