package text

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

//go:embed lexicon.json
var defaultLexiconJSON []byte

// Lexicon is a multilingual list of risk terms: the words counterfeit
// sellers use ("replica", "1:1", "AAA+", "Fälschung", …), each with its
// canonical value and the context words that make it ordinary. It is data,
// not code: [DefaultLexicon] reads the embedded lexicon.json and
// [ParseLexicon] reads another file of the same shape.
type Lexicon struct {
	terms     []lexTerm
	negations map[string]bool
	// byFirst indexes word patterns by the skeleton of their first word.
	byFirst map[string][]lexPattern
	// ratios are patterns such as "1:1", matched on the folded text.
	ratios []lexRatio
	// maxWords is the longest pattern in words.
	maxWords int
}

type lexTerm struct {
	Value      string   `json:"value"`
	Confidence float64  `json:"confidence"`
	Negatable  bool     `json:"negatable"`
	Patterns   []string `json:"patterns"`
	UnlessNext []string `json:"unless_next"`
	UnlessPrev []string `json:"unless_prev"`

	unlessNext map[string]bool
	unlessPrev map[string]bool
}

type lexFile struct {
	Negations []string  `json:"negations"`
	Terms     []lexTerm `json:"terms"`
}

// lexPattern is one pattern as a sequence of words.
type lexPattern struct {
	term  int
	words []lexWord
	runes int // length of the pattern, to prefer the longest match
}

type lexWord struct {
	text  string // folded
	skel  string
	digit bool // has a digit: match the folded text only, not the skeleton
}

type lexRatio struct {
	term int
	re   *regexp.Regexp
}

// DefaultLexicon returns the built-in lexicon (lexicon.json). It panics
// only if the embedded file is broken, which a unit test rules out.
func DefaultLexicon() *Lexicon {
	lex, err := ParseLexicon(defaultLexiconJSON)
	if err != nil {
		panic(fmt.Sprintf("text: embedded lexicon.json: %v", err))
	}
	return lex
}

// ParseLexicon reads a lexicon in the format of the embedded lexicon.json.
func ParseLexicon(data []byte) (*Lexicon, error) {
	var f lexFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parse lexicon: %w", err)
	}
	lex := &Lexicon{
		terms:     f.Terms,
		negations: wordSet(f.Negations),
		byFirst:   map[string][]lexPattern{},
	}
	for ti := range lex.terms {
		t := &lex.terms[ti]
		t.Value = strings.ToLower(strings.TrimSpace(t.Value))
		if t.Value == "" {
			return nil, fmt.Errorf("parse lexicon: term %d has no value", ti)
		}
		if t.Confidence <= 0 || t.Confidence > 1 {
			return nil, fmt.Errorf("parse lexicon: term %q: confidence %v not in (0, 1]", t.Value, t.Confidence)
		}
		if len(t.Patterns) == 0 {
			return nil, fmt.Errorf("parse lexicon: term %q has no patterns", t.Value)
		}
		t.unlessNext = wordSet(t.UnlessNext)
		t.unlessPrev = wordSet(t.UnlessPrev)
		for _, p := range t.Patterns {
			if strings.Contains(p, ":") {
				lex.ratios = append(lex.ratios, lexRatio{term: ti, re: ratioRegexp(p)})
				continue
			}
			nt := normalize(p)
			toks := nt.tokens()
			if len(toks) == 0 {
				return nil, fmt.Errorf("parse lexicon: term %q: pattern %q has no words", t.Value, p)
			}
			lp := lexPattern{term: ti, runes: toks[len(toks)-1].e - toks[0].s}
			for _, tk := range toks {
				lp.words = append(lp.words, lexWord{text: tk.text, skel: tk.skel, digit: tk.digits > 0})
			}
			lex.byFirst[lp.words[0].skel] = append(lex.byFirst[lp.words[0].skel], lp)
			lex.maxWords = max(lex.maxWords, len(lp.words))
			if j, ok := joinedPattern(lp); ok {
				lex.byFirst[j.words[0].skel] = append(lex.byFirst[j.words[0].skel], j)
			}
		}
	}
	return lex, nil
}

// minJoined is the fewest skeleton letters of a pattern of several words
// that is also matched written as one word: shorter joins ("topcopy",
// "hicopy") come too close to ordinary words.
const minJoined = 8

// joinedPattern returns the one-word form of a pattern of several words
// without digits: tesseract drops the space between words set tight
// ("UA VERSION" read "UAVERSION", "SUPER COPY" read "SUPERCOPY"), and
// sellers run them together too. ok is false for one-word patterns, for
// patterns with digits and for joins under minJoined letters.
func joinedPattern(lp lexPattern) (_ lexPattern, ok bool) {
	if len(lp.words) < 2 {
		return lexPattern{}, false
	}
	var text, skel strings.Builder
	for _, w := range lp.words {
		if w.digit {
			return lexPattern{}, false
		}
		text.WriteString(w.text)
		skel.WriteString(w.skel)
	}
	n := len([]rune(skel.String()))
	if n < minJoined {
		return lexPattern{}, false
	}
	return lexPattern{term: lp.term, words: []lexWord{{text: text.String(), skel: skel.String()}}, runes: len([]rune(text.String()))}, true
}

func wordSet(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[foldString(w)] = true
	}
	return m
}

// ratioRegexp turns a pattern such as "1:1" into a regexp on folded text
// that tolerates spaces around the colon, a semicolon for it (OCR) and
// l/i/| for the digit one, and refuses times and longer ratios ("11:15",
// "1:10").
func ratioRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?:^|[^0-9a-z:.,])(`)
	for _, r := range foldString(p) {
		switch {
		case r == ':':
			b.WriteString(`\s?[:;]\s?`)
		case r == '1':
			b.WriteString(`[1il|]`)
		case r == ' ':
			b.WriteString(`\s+`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`)(?:$|[^0-9a-z:])`)
	return regexp.MustCompile(b.String())
}

// wordMatches reports whether text word t stands for pattern word w.
func (w lexWord) matches(t token) bool {
	if t.text == w.text {
		return true
	}
	return !w.digit && t.letters > 0 && t.skel == w.skel
}

// lexHit is a risk term found in runes [s, e) of a normText.
type lexHit struct {
	term int
	s, e int
}

// find returns the risk terms in nt, longest first where they overlap.
func (lex *Lexicon) find(nt *normText, toks []token) []lexHit {
	var cands []lexHit
	candRunes := func(h lexHit) int { return h.e - h.s }
	for i := range toks {
		// patterns word by word
		for _, p := range lex.byFirst[toks[i].skel] {
			if i+len(p.words) > len(toks) {
				continue
			}
			ok := true
			for k, w := range p.words {
				if !w.matches(toks[i+k]) || (k > 0 && !nt.joinableWords(toks[i+k-1], toks[i+k])) {
					ok = false
					break
				}
			}
			if ok {
				cands = append(cands, lexHit{term: p.term, s: toks[i].s, e: toks[i+len(p.words)-1].e})
			}
		}
		// one-word patterns written across words: "R E P L I C A", "REP LICA"
		var skel strings.Builder
		skel.WriteString(toks[i].skel)
		singles := len(toks[i].skel) == 1
		for j := i + 1; j < len(toks) && nt.joinable(toks[j-1], toks[j]); j++ {
			singles = singles && len(toks[j].skel) == 1
			if j-i >= 3 && !singles {
				break
			}
			skel.WriteString(toks[j].skel)
			if skel.Len() < 4 {
				continue
			}
			letters := 0
			for _, t := range toks[i : j+1] {
				letters += t.letters
			}
			for _, p := range lex.byFirst[skel.String()] {
				if len(p.words) == 1 && !p.words[0].digit && letters > 0 {
					cands = append(cands, lexHit{term: p.term, s: toks[i].s, e: toks[j].e})
				}
			}
		}
	}
	folded := string(nt.runes)
	if len(lex.ratios) > 0 {
		idx := runeIndex(folded)
		for _, r := range lex.ratios {
			for _, m := range r.re.FindAllStringSubmatchIndex(folded, -1) {
				cands = append(cands, lexHit{term: r.term, s: idx[m[2]], e: idx[m[3]]})
			}
		}
	}
	hits := pickLongest(cands, candRunes)
	out := hits[:0]
	for _, h := range hits {
		if !lex.ordinary(nt, toks, h) {
			out = append(out, h)
		}
	}
	return out
}

// joinableWords reports whether two words of a pattern may be separated
// as a and b are: on one line, or across a line break in OCR text, with
// no sentence punctuation between them.
func (nt *normText) joinableWords(a, b token) bool {
	if b.s-a.e > 4 {
		return false
	}
	for _, r := range nt.runes[a.e:b.s] {
		switch r {
		case ' ', '\n', '-', '_', '/', '+', '\'', '"', '*':
		default:
			return false
		}
	}
	return true
}

// lineBreak reports whether runes [a, b) hold a line break.
func (nt *normText) lineBreak(a, b int) bool {
	return a < b && slices.Contains(nt.runes[a:b], '\n')
}

// ordinary reports whether the context makes hit h an ordinary phrase:
// "AAA batteries", "fake fur", "not fake", "no original box".
func (lex *Lexicon) ordinary(nt *normText, toks []token, h lexHit) bool {
	t := lex.terms[h.term]
	prev, next := -1, -1
	for k, tk := range toks {
		if tk.e <= h.s {
			prev = k
		}
		if tk.s >= h.e && next < 0 {
			next = k
		}
	}
	// context is on the same line: OCR lines are apart in the picture
	if next >= 0 && nt.lineBreak(h.e, toks[next].s) {
		next = -1
	}
	if prev >= 0 && nt.lineBreak(toks[prev].e, h.s) {
		prev = -1
	}
	if next >= 0 && t.unlessNext[toks[next].text] {
		return true
	}
	if prev >= 0 && t.unlessPrev[toks[prev].text] {
		return true
	}
	if t.Negatable && prev >= 0 {
		p := prev
		if articles[toks[p].text] && p > 0 {
			p--
		}
		if lex.negations[toks[p].text] {
			return true
		}
	}
	return false
}

var articles = map[string]bool{
	"a": true, "an": true, "the": true, "un": true, "une": true, "ein": true, "eine": true,
	"una": true, "uno": true, "een": true, "de": true, "der": true, "die": true, "das": true,
	"es": true, "is": true, "ist": true, "est": true, "e": true, "è": true, "jest": true,
	"je": true, "are": true, "sind": true, "son": true, "sono": true, "zijn": true, "any": true,
}

// runeIndex maps byte offsets of s to rune indexes (len(s)+1 entries).
func runeIndex(s string) []int {
	idx := make([]int, len(s)+1)
	n := -1
	for i := 0; i < len(s); i++ {
		if s[i]&0xC0 != 0x80 {
			n++
		}
		idx[i] = n
	}
	idx[len(s)] = n + 1
	return idx
}

// pickLongest keeps non-overlapping spans, the longest first.
func pickLongest[T interface{ span() (int, int) }](cands []T, length func(T) int) []T {
	slices.SortStableFunc(cands, func(a, b T) int { return length(b) - length(a) })
	var out []T
	for _, c := range cands {
		cs, ce := c.span()
		free := true
		for _, o := range out {
			os, oe := o.span()
			if cs < oe && os < ce {
				free = false
				break
			}
		}
		if free {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b T) int {
		as, _ := a.span()
		bs, _ := b.span()
		return as - bs
	})
	return out
}

func (h lexHit) span() (int, int) { return h.s, h.e }
