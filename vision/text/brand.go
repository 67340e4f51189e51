package text

import (
	"slices"
	"strings"

	"counterlens/models"
)

// brandKey is one spelling of a brand: its name or an alias.
type brandKey struct {
	brand int
	name  string // as registered, for the reason
	skel  []rune // skeleton, words run together
	words int
}

// brandHit is a brand spelling found in runes [s, e) of a normText.
type brandHit struct {
	key   int
	s, e  int
	cost  float64 // 0 for an exact skeleton match
	exact bool    // folded text equals the folded name: nothing obfuscated
	split bool    // one-word name read across several words
	// inserted: a leet spelling with one letter too many beside its
	// digit or symbol ("N1iKE")
	inserted bool
}

func (h brandHit) span() (int, int) { return h.s, h.e }

// Matcher finds brand mentions, risk terms and contacts in text. It is
// immutable after [NewMatcher] and safe for concurrent use.
type Matcher struct {
	brands  []models.Brand
	keys    []brandKey
	exact   map[string][]int // skeleton → keys
	maxSpan int              // most words a name spans, plus one
	lex     *Lexicon
	// official are the brands' own web domains: links to them are not
	// off-platform contacts.
	official map[string]bool
	// pieces are the words a run-together token may be split into.
	pieces   map[string]piece
	maxPiece int
}

// NewMatcher indexes brands (their Name and Aliases) and a lexicon (nil
// means [DefaultLexicon]). It is cheap enough to rebuild whenever the
// brands change.
func NewMatcher(brands []models.Brand, lex *Lexicon) *Matcher {
	if lex == nil {
		lex = DefaultLexicon()
	}
	m := &Matcher{
		brands:   slices.Clone(brands),
		exact:    map[string][]int{},
		maxSpan:  2,
		lex:      lex,
		official: map[string]bool{},
	}
	for bi, b := range m.brands {
		for _, d := range b.OfficialDomains {
			d = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "www.")
			if d != "" {
				m.official[d] = true
			}
		}
		seen := map[string]bool{}
		for _, name := range append([]string{b.Name}, b.Aliases...) {
			nt := normalize(name)
			toks := nt.tokens()
			var sk strings.Builder
			for _, t := range toks {
				sk.WriteString(t.skel)
			}
			s := sk.String()
			if len([]rune(s)) < 2 || seen[s] {
				continue
			}
			seen[s] = true
			k := brandKey{brand: bi, name: name, skel: []rune(s), words: len(toks)}
			m.exact[s] = append(m.exact[s], len(m.keys))
			m.keys = append(m.keys, k)
			m.maxSpan = max(m.maxSpan, k.words+1)
		}
	}
	m.pieces, m.maxPiece = runTogetherPieces(m.keys, lex)
	return m
}

// findBrands returns brand spellings in nt, best first where they overlap.
func (m *Matcher) findBrands(nt *normText, toks []token) []brandHit {
	if len(m.keys) == 0 {
		return nil
	}
	var cands []brandHit
	for i := range toks {
		var sk strings.Builder
		var spanSkel []rune
		var spanLeet []bool
		letters, digits := 0, 0
		singles, dotted := true, false
		for j := i; j < len(toks); j++ {
			if j > i && !nt.joinable(toks[j-1], toks[j]) {
				break
			}
			if j > i && strings.ContainsRune(string(nt.runes[toks[j-1].e:toks[j].s]), '.') {
				dotted = true
			}
			n := j - i + 1
			singles = singles && len([]rune(toks[j].skel)) == 1
			if n > m.maxSpan && !(singles && n <= 24) {
				break
			}
			sk.WriteString(toks[j].skel)
			spanSkel, spanLeet = appendLeet(spanSkel, spanLeet, toks[j].text)
			letters += toks[j].letters
			digits += toks[j].digits
			if letters == 0 || digits > letters || (dotted && !singles) {
				continue // "G. Ucci" is an initial and a name, not G.U.C.C.I
			}
			s := sk.String()
			for _, k := range m.exact[s] {
				if len(m.keys[k].skel) <= 3 && !m.literal(toks[i:j+1], k) {
					continue // "LV" must read LV, not IV or 1V
				}
				h := brandHit{key: k, s: toks[i].s, e: toks[j].e}
				h.exact = nt.folded(h.s, h.e) == strings.Join(strings.Fields(foldString(m.keys[k].name)), " ")
				h.split = n > 1 && m.keys[k].words == 1
				cands = append(cands, h)
			}
			for _, k := range m.leetInserted(spanSkel, spanLeet) {
				cands = append(cands, brandHit{key: k, s: toks[i].s, e: toks[j].e, cost: costLeetInserted, inserted: true})
			}
			// fuzzy: only where the words line up with the name's words, or
			// the letters were spelt out one by one
			rs := []rune(s)
			for k, key := range m.keys {
				if key.words != n && !(singles && n >= 3) {
					continue
				}
				limit := maxCost(len(key.skel))
				if limit == 0 || float64(abs(len(rs)-len(key.skel)))*costConfusable > limit {
					continue
				}
				c := editCost(rs, key.skel, limit)
				if c > 0 && c <= limit+1e-9 {
					cands = append(cands, brandHit{key: k, s: toks[i].s, e: toks[j].e, cost: c, split: singles && n > 1 && key.words == 1})
				}
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b brandHit) int {
		switch {
		case a.cost != b.cost:
			if a.cost < b.cost {
				return -1
			}
			return 1
		case a.exact != b.exact:
			if a.exact {
				return -1
			}
			return 1
		}
		return (b.e - b.s) - (a.e - a.s)
	})
	var out []brandHit
	for _, c := range cands {
		free := true
		for _, o := range out {
			if c.s < o.e && o.s < c.e {
				free = false
				break
			}
		}
		if free {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b brandHit) int { return a.s - b.s })
	return out
}

// brandConfidence rates a brand hit: the name as registered, then an
// obfuscated spelling, then a split one, then fuzzy matches by distance.
func brandConfidence(h brandHit, limit float64, plain bool) float64 {
	switch {
	case h.inserted:
		return 0.7
	case h.cost > 0:
		return 0.85 - 0.3*h.cost/limit
	case plain:
		return 0.95
	case h.split:
		return 0.85
	}
	return 0.9
}

// literal reports whether the words spell key k letter for letter, with
// no leetspeak or l/i swap: short names like "LV" or "MK" need that.
func (m *Matcher) literal(toks []token, k int) bool {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	var want strings.Builder
	for _, t := range normalizeTokens(m.keys[k].name) {
		want.WriteString(t.text)
	}
	return b.String() == want.String()
}

func normalizeTokens(s string) []token {
	nt := normalize(s)
	return nt.tokens()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
