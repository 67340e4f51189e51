package logo

import (
	"image"
	"strings"
)

// This file holds the words of the chance levels (see
// nullCalibration). Scene text is the commonest source of a wordmark's
// false alarms: at 1,000 references "cora" fits the word "comp" of a
// printed page, "we" (WeTransfer) the word "we", with the letters they
// share in place, so their fine outline reads about as well as on their
// own marks. The glyph corpus holds single letters only, so nothing
// measured what a wordmark reaches on text. The words are the commonest
// English words and their pieces of two to four letters (scene text is cut
// into regions at any letter gap), lower case, and the words in capitals,
// set from the glyph strips of a few faces (serif and sans, regular and
// bold, condensed, mono) with a fixed letter gap. They enter the fine
// outline's chance level, and nullMax through a high rank of their
// scores (wordRank): the reporting midpoint of a reference that fits
// common words rises over what printed text scores.

// commonWords are the hundred commonest English words (the Oxford
// English Corpus's list, less "I" and "a").
var commonWords = strings.Fields(`the be to of and in that have it for not on with he as
you do at this but his by from they we say her she or an will my one all would there their
what so up out if about who get which go me when make can like time no just him know take
people into year your good some could them see other than then now look only come its over
think also back after use two how our work first well way even new want because any these
give day most us`)

// wordFaces are the glyph strips (nullglyphs/) words are set in.
var wordFaces = []string{"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansCondensed-Bold",
	"LiberationSerif-Regular", "LiberationSerif-Bold", "LiberationMono-Regular"}

// wordGap is the gap between two letters' ink, in strip pixels (a
// twelfth of the glyphs' size).
const wordGap = glyphSize / 12

// wordStrings are the strings the word regions spell: every common word
// and its pieces of two to four letters in lower case, and the words in
// capitals, each once.
func wordStrings() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if len(s) >= 2 && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, w := range commonWords {
		add(w)
		for n := 2; n <= 4; n++ {
			for i := 0; i+n <= len(w); i++ {
				add(w[i : i+n])
			}
		}
	}
	for _, w := range commonWords {
		add(strings.ToUpper(w))
	}
	return out
}

// wordCandidates are the regions of wordStrings set in each of wordFaces,
// at half the strips' size (a region is compared at its own scale, and a
// smaller mask keeps the corpus's memory down).
func wordCandidates(cfg Config) ([]*candidate, error) {
	words := wordStrings()
	var out []*candidate
	for _, f := range wordFaces {
		s, err := readStrip("nullglyphs/" + f + ".png")
		if err != nil {
			return nil, err
		}
		// Each rune's ink columns in its cell.
		var lo, hi [len(glyphRunes)]int
		for i := range glyphRunes {
			lo[i], hi[i] = glyphCanvas, -1
			x0 := s.Rect.Min.X + i*glyphCanvas
			for y := s.Rect.Min.Y; y < s.Rect.Max.Y; y++ {
				for x, v := range s.Pix[s.PixOffset(x0, y):][:glyphCanvas] {
					if v != 0 {
						lo[i], hi[i] = min(lo[i], x), max(hi[i], x)
					}
				}
			}
		}
		for _, w := range words {
			out = addWord(out, s, w, &lo, &hi, cfg)
		}
	}
	return out, nil
}

// addWord sets w from strip s (lo and hi its runes' ink columns) and adds
// it as one region at half size.
func addWord(out []*candidate, s *image.Paletted, w string, lo, hi *[len(glyphRunes)]int, cfg Config) []*candidate {
	width := 0
	var idx []int
	for _, r := range w {
		i := strings.IndexRune(glyphRunes, r)
		if i < 0 || hi[i] < lo[i] {
			continue
		}
		idx = append(idx, i)
		if width > 0 {
			width += wordGap
		}
		width += hi[i] - lo[i] + 1
	}
	if len(idx) == 0 {
		return out
	}
	on := make([]bool, width*glyphCanvas)
	x := 0
	for _, i := range idx {
		x0 := s.Rect.Min.X + i*glyphCanvas + lo[i]
		n := hi[i] - lo[i] + 1
		for y := range glyphCanvas {
			for k, v := range s.Pix[s.PixOffset(x0, s.Rect.Min.Y+y):][:n] {
				if v != 0 {
					on[y*width+x+k] = true
				}
			}
		}
		x += n + wordGap
	}
	// Half size: a cell is on where at least two of its four pixels are.
	W, H := width/2, glyphCanvas/2
	y1, y2 := H, -1
	half := make([]uint8, W*H)
	for y := range H {
		for x := range W {
			n := 0
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				if on[(2*y+d[1])*width+2*x+d[0]] {
					n++
				}
			}
			if n >= 2 {
				half[y*W+x] = 1
				y1, y2 = min(y1, y), max(y2, y)
			}
		}
	}
	if y2 < y1 {
		return out
	}
	return addCandidate(out, half[y1*W:(y2+1)*W], image.Rect(0, 0, W, y2-y1+1), cfg)
}
