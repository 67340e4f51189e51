package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// normText is a string folded for matching, rune by rune, with the byte
// span in the source that each folded rune came from. Matching happens on
// runes; evidence (Value, Reason, word boxes) is cut from the source.
type normText struct {
	src   string
	runes []rune
	start []int // byte offset in src where runes[i] came from
	end   []int // byte offset in src just after that source rune
}

// homoglyphs maps Cyrillic, Greek and other look-alikes to the Latin letter
// they imitate. It is applied before case folding, so upper- and lower-case
// forms map separately (Greek capital Ν looks like N, small ν like v).
var homoglyphs = map[rune]rune{
	// Cyrillic capitals
	'А': 'A', 'В': 'B', 'Е': 'E', 'Ё': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P',
	'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X', 'Ѕ': 'S', 'І': 'I', 'Ї': 'I', 'Ј': 'J', 'Ԛ': 'Q',
	'Ԝ': 'W', 'Ү': 'Y', 'Һ': 'H', 'Ӏ': 'I', 'П': 'N',
	// Cyrillic small
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
	'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ԛ': 'q',
	'ԝ': 'w', 'ү': 'y', 'һ': 'h', 'ӏ': 'l', 'ԁ': 'd', 'ɡ': 'g', 'п': 'n', 'г': 'r', 'ь': 'b',
	// Greek capitals
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N',
	'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
	// Greek small
	'α': 'a', 'β': 'b', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't',
	'υ': 'u', 'χ': 'x', 'ς': 'c', 'η': 'n', 'μ': 'u',
	// Latin letters that do not decompose
	'ł': 'l', 'Ł': 'L', 'ø': 'o', 'Ø': 'O', 'đ': 'd', 'Đ': 'D', 'ı': 'i', 'ħ': 'h',
	// quotes and dashes
	'’': '\'', '‘': '\'', '`': '\'', '´': '\'', 'ʼ': '\'', '‐': '-', '‑': '-', '‒': '-',
	'–': '-', '—': '-', '∶': ':', '·': '.', '•': '.',
}

// normalize folds s for matching: NFKC, look-alikes to Latin, Unicode case
// folding and removal of diacritics.
func normalize(s string) normText {
	nt := normText{
		src:   s,
		runes: make([]rune, 0, len(s)),
		start: make([]int, 0, len(s)),
		end:   make([]int, 0, len(s)),
	}
	var fold cases.Caser // created only when a non-ASCII rune shows up
	haveFold := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			if r == '`' {
				r = '\''
			}
			nt.add(r, i, j)
			i = j
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			i = j
			continue
		}
		if !haveFold {
			fold = cases.Fold()
			haveFold = true
		}
		for _, k := range norm.NFKC.String(string(r)) {
			if h, ok := homoglyphs[k]; ok {
				k = h
			}
			for _, f := range fold.String(string(k)) {
				for _, d := range norm.NFD.String(string(f)) {
					if unicode.Is(unicode.Mn, d) {
						continue
					}
					if h, ok := homoglyphs[d]; ok {
						d = h
					}
					nt.add(d, i, j)
				}
			}
		}
		i = j
	}
	return nt
}

func (nt *normText) add(r rune, start, end int) {
	if unicode.IsSpace(r) {
		if r != '\n' {
			r = ' '
		}
	}
	nt.runes = append(nt.runes, r)
	nt.start = append(nt.start, start)
	nt.end = append(nt.end, end)
}

// srcSpan returns the source byte span of runes [i, j).
func (nt *normText) srcSpan(i, j int) (int, int) {
	if i >= j || i >= len(nt.runes) {
		return 0, 0
	}
	return nt.start[i], nt.end[j-1]
}

// seen returns the source text of runes [i, j) as a reader would quote it:
// spaces collapsed.
func (nt *normText) seen(i, j int) string {
	a, b := nt.srcSpan(i, j)
	return strings.Join(strings.Fields(nt.src[a:b]), " ")
}

// folded returns runes [i, j) with runs of spaces collapsed.
func (nt *normText) folded(i, j int) string {
	return strings.Join(strings.Fields(string(nt.runes[i:j])), " ")
}

// foldString normalises s alone, as [normalize] does.
func foldString(s string) string {
	return string(normalize(s).runes)
}

// skelRune maps a folded rune to its skeleton form: leetspeak digits and
// symbols to the letter they stand for, and the letters that OCR and
// sellers swap freely (l, 1, |, !) to one letter. It returns -1 for runes
// that are not part of a word's skeleton (punctuation).
func skelRune(r rune) rune {
	switch r {
	case '0':
		return 'o'
	case '1', 'l', '|', '!':
		return 'i'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	case '8':
		return 'b'
	case '9':
		return 'g'
	case '2':
		return 'z'
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return -1
}

// skeleton returns the skeleton of a folded string.
func skeleton(s string) string {
	var b strings.Builder
	for _, r := range s {
		if k := skelRune(r); k >= 0 {
			b.WriteRune(k)
		}
	}
	return b.String()
}

// token is a word of a normText: runes [s, e).
type token struct {
	s, e    int
	text    string // folded runes
	skel    string
	letters int
	digits  int
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// tokens splits nt into words. Letters and digits make words; the leet
// symbols @ $ ! | and apostrophes belong to a word when they sit inside it
// ("ad!das", "levi's"), and $ also at its start when a letter follows
// ("$upreme").
func (nt *normText) tokens() []token {
	rs := nt.runes
	n := len(rs)
	at := func(i int) rune {
		if i < 0 || i >= n {
			return ' '
		}
		return rs[i]
	}
	inWord := func(i int) bool {
		r := rs[i]
		if isWordRune(r) {
			return true
		}
		switch r {
		case '@', '!', '|', '\'':
			return isWordRune(at(i-1)) && isWordRune(at(i+1))
		case '$':
			return unicode.IsLetter(at(i + 1))
		}
		return false
	}
	var out []token
	for i := 0; i < n; {
		if !inWord(i) {
			i++
			continue
		}
		j := i
		for j < n && inWord(j) {
			j++
		}
		t := token{s: i, e: j, text: string(rs[i:j])}
		t.skel = skeleton(t.text)
		for _, r := range rs[i:j] {
			switch {
			case unicode.IsLetter(r):
				t.letters++
			case unicode.IsDigit(r):
				t.digits++
			}
		}
		out = append(out, t)
		i = j
	}
	return out
}

// joinable reports whether tokens a and b (a before b) may be read as one
// word: they are on one line and only a few separators apart ("G U C C I",
// "n.i.k.e", "GUC CI").
func (nt *normText) joinable(a, b token) bool {
	if b.s-a.e > 3 {
		return false
	}
	for _, r := range nt.runes[a.e:b.s] {
		switch r {
		case ' ', '.', '-', '_', '*', '/', '\\', '+', '~', '\'', '"':
		default:
			return false
		}
	}
	return true
}

// foldSeen returns s with NFKC and case folding only: the text as seen,
// look-alike letters kept, for a signal's Value.
func foldSeen(s string) string {
	return cases.Fold().String(norm.NFKC.String(s))
}
