package text

import (
	"strings"
	"unicode"
)

// disguised reports whether seen, a spelling of brand name found at no
// edit cost, was written so that a text search for the name misses it:
// leetspeak or look-alike letters ("RED BUL1", "NІKE" with a Cyrillic І)
// or the name spelt out letter by letter ("S A M S U N G", "N.I.K.E").
// Case, spaces and punctuation between the name's own words ("Coca Cola"
// for Coca-Cola) are how people write, not a disguise.
func disguised(seen, name string) bool {
	if alnum(foldSeen(seen)) != alnum(foldSeen(name)) {
		return true
	}
	letters := strings.FieldsFunc(seen, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(letters) < 3 {
		return false
	}
	for _, l := range letters {
		if len([]rune(l)) != 1 {
			return false
		}
	}
	return len(letters) > len(strings.Fields(name))
}

// alnum keeps the letters and digits of s.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}
