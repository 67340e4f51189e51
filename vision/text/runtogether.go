package text

import "slices"

// OCR loses the space between small words ("REPLICA N1KE" read
// "REPLICANIKE"), and sellers run words together on purpose. Such a token
// is split into known pieces (brand spellings and one-word risk terms)
// only when every piece is known and one of them is a risk term: a
// dictionary word is almost never made wholly of those.

// minPiece is the fewest skeleton letters of a piece: two- and
// three-letter names and terms (LV, UA, OEM, AAA) would cut ordinary
// words into pieces.
const minPiece = 4

// piece is a word a run-together token may be made of: brand key key, or
// risk term term (the other is -1).
type piece struct{ key, term int }

// runTogetherPieces indexes the brand spellings and the letters-only
// one-word risk-term patterns of at least minPiece letters by skeleton,
// and returns the longest.
func runTogetherPieces(keys []brandKey, lex *Lexicon) (map[string]piece, int) {
	ps := map[string]piece{}
	longest := 0
	add := func(sk string, p piece) {
		n := len([]rune(sk))
		if n < minPiece {
			return
		}
		if _, ok := ps[sk]; !ok {
			ps[sk] = p
			longest = max(longest, n)
		}
	}
	for _, pats := range lex.byFirst {
		for _, p := range pats {
			if len(p.words) == 1 && !p.words[0].digit {
				add(p.words[0].skel, piece{key: -1, term: p.term})
			}
		}
	}
	for k, key := range keys {
		add(string(key.skel), piece{key: k, term: -1})
	}
	return ps, longest
}

// splitRunTogether splits the tokens of nt that no brand or term was
// found in into known pieces, and returns the brands and risk terms they
// hold. The risk terms have not been checked against their context yet.
func (m *Matcher) splitRunTogether(nt *normText, toks []token, brands []brandHit, terms []lexHit) ([]brandHit, []lexHit) {
	var bs []brandHit
	var ts []lexHit
	for _, t := range toks {
		if t.letters == 0 || t.digits > t.letters || len([]rune(t.skel)) < 2*minPiece ||
			slices.ContainsFunc(brands, func(h brandHit) bool { return h.s < t.e && t.s < h.e }) ||
			slices.ContainsFunc(terms, func(h lexHit) bool { return h.s < t.e && t.s < h.e }) {
			continue
		}
		// skeleton runes and the rune of nt each came from
		var skel []rune
		var pos []int
		for i := t.s; i < t.e; i++ {
			if k := skelRune(nt.runes[i]); k >= 0 {
				skel = append(skel, k)
				pos = append(pos, i)
			}
		}
		for _, sg := range m.segment(skel) {
			s, e := pos[sg.a], pos[sg.b-1]+1
			if p := m.pieces[string(skel[sg.a:sg.b])]; p.key >= 0 {
				bs = append(bs, brandHit{key: p.key, s: s, e: e, split: true})
			} else {
				ts = append(ts, lexHit{term: p.term, s: s, e: e})
			}
		}
	}
	return bs, ts
}

// segment is a piece of a skeleton: runes [a, b).
type segment struct{ a, b int }

// segment cuts skeleton sk wholly into the fewest known pieces and
// returns them, or nil unless there are at least two and one is a risk
// term.
func (m *Matcher) segment(sk []rune) []segment {
	n := len(sk)
	const none = 1 << 30
	best := make([]int, n+1) // fewest pieces covering sk[:i]
	from := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = none
		for l := minPiece; l <= min(i, m.maxPiece); l++ {
			if best[i-l] == none || best[i-l]+1 >= best[i] {
				continue
			}
			if _, ok := m.pieces[string(sk[i-l:i])]; ok {
				best[i], from[i] = best[i-l]+1, i-l
			}
		}
	}
	if best[n] == none || best[n] < 2 {
		return nil
	}
	out := make([]segment, best[n])
	term := false
	for i, k := n, best[n]-1; i > 0; i, k = from[i], k-1 {
		out[k] = segment{from[i], i}
		term = term || m.pieces[string(sk[from[i]:i])].term >= 0
	}
	if !term {
		return nil
	}
	return out
}
