// Package text finds what counterfeit sellers write: brand names in odd
// spellings ("N1KE", "G U C C I"), risk terms ("replica", "1:1", "AAA+",
// "Fälschung") and ways to reach them off the platform (WhatsApp numbers,
// WeChat IDs, t.me links, e-mail addresses). It reads listing titles and
// descriptions as well as the words OCR found in pictures. Pure Go.
package text

import (
	"fmt"
	"slices"
	"strings"

	"counterlens/models"
)

// Options says where the text comes from.
type Options struct {
	// Source is models.SourceImageText or models.SourceListingText.
	Source string
	// Region is the default phone region (ISO 3166 alpha-2, e.g. "GB");
	// "" means only numbers in international form are accepted.
	Region string
}

// span is a finding in source bytes [a, b) with its signal.
type finding struct {
	sig  models.Signal
	a, b int
}

// FindText finds brand mentions, risk terms and contacts in free text
// (titles, descriptions, OCR text). Brand mentions are
// models.SignalListingTextBrand when opt.Source is listing_text and
// models.SignalImageTextBrand when it is image_text.
func (m *Matcher) FindText(s string, opt Options) []models.Signal {
	fs := m.find(s, opt)
	out := make([]models.Signal, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.sig)
	}
	return dedupe(out)
}

// FindWords does what [Matcher.FindText] does on OCR words, in reading
// order, and sets each signal's BBox to the union of the words it came
// from. A word's OCR confidence lowers the signal's confidence. A word
// that does not continue the previous one's row starts a new line, so
// that text elsewhere in the picture is not read as its context.
func (m *Matcher) FindWords(words []models.Word, opt Options) []models.Signal {
	var b strings.Builder
	starts := make([]int, len(words))
	for i, w := range words {
		switch {
		case i > 0 && newLine(words[i-1].BBox, w.BBox):
			b.WriteByte('\n')
		case i > 0:
			b.WriteByte(' ')
		}
		starts[i] = b.Len()
		b.WriteString(strings.TrimSpace(w.Text))
	}
	s := b.String()
	var out []models.Signal
	for _, f := range m.find(s, opt) {
		var box *models.BBox
		confSum, n := 0.0, 0
		minConf := 1.0
		for i, w := range words {
			ws, we := starts[i], starts[i]+len(strings.TrimSpace(w.Text))
			if ws >= f.b || we <= f.a {
				continue
			}
			box = union(box, w.BBox)
			c := min(max(w.Confidence, 0), 1)
			confSum += c
			minConf = min(minConf, c)
			n++
		}
		if n == 0 {
			continue
		}
		sig := f.sig
		sig.BBox = box
		mean := confSum / float64(n)
		sig.Confidence = round3(sig.Confidence * (0.55 + 0.45*(0.5*mean+0.5*minConf)))
		out = append(out, sig)
	}
	return dedupe(out)
}

// newLine reports whether word box w starts a new line after a: it lies
// beside a's row or back to its left. Words without boxes run on.
func newLine(a, w models.BBox) bool {
	if a.H <= 0 || w.H <= 0 {
		return false
	}
	ov := min(a.Y+a.H, w.Y+w.H) - max(a.Y, w.Y)
	return ov*2 < min(a.H, w.H) || w.X+w.W <= a.X
}

func union(b *models.BBox, w models.BBox) *models.BBox {
	if b == nil {
		c := w
		return &c
	}
	x0, y0 := min(b.X, w.X), min(b.Y, w.Y)
	x1, y1 := max(b.X+b.W, w.X+w.W), max(b.Y+b.H, w.Y+w.H)
	return &models.BBox{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

func round3(f float64) float64 {
	return float64(int(f*1000+0.5)) / 1000
}

// find runs the three finders on s.
func (m *Matcher) find(s string, opt Options) []finding {
	nt := normalize(s)
	toks := nt.tokens()
	where := "listing text"
	brandType := models.SignalListingTextBrand
	if opt.Source == models.SourceImageText {
		where = "image text"
		brandType = models.SignalImageTextBrand
	}
	var out []finding
	add := func(sig models.Signal, rs, re int) {
		a, b := nt.srcSpan(rs, re)
		sig.Source = opt.Source
		sig.Confidence = round3(sig.Confidence)
		out = append(out, finding{sig: sig, a: a, b: b})
	}

	brands, terms := m.findBrands(&nt, toks), m.lex.find(&nt, toks)
	if rb, rt := m.splitRunTogether(&nt, toks, brands, terms); len(rb)+len(rt) > 0 {
		brands = append(brands, rb...)
		slices.SortFunc(brands, func(a, b brandHit) int { return a.s - b.s })
		for _, h := range rt {
			if !m.lex.ordinary(&nt, toks, h) {
				terms = append(terms, h)
			}
		}
		slices.SortFunc(terms, func(a, b lexHit) int { return a.s - b.s })
	}
	for _, h := range brands {
		k := m.keys[h.key]
		b := m.brands[k.brand]
		seen := nt.seen(h.s, h.e)
		value := foldSeen(seen)
		var reason string
		switch {
		case h.cost > 0:
			reason = fmt.Sprintf("%s %q looks like brand %s", where, seen, b.Name)
		case h.exact && value == strings.Join(strings.Fields(foldSeen(b.Name)), " "):
			reason = fmt.Sprintf("%s %q names brand %s", where, seen, b.Name)
		default:
			reason = fmt.Sprintf("%s %q reads as brand %s", where, seen, b.Name)
		}
		add(models.Signal{
			Type:       brandType,
			BrandID:    b.ID,
			Value:      value,
			Confidence: brandConfidence(h, maxCost(len(k.skel)), value == strings.Join(strings.Fields(foldSeen(b.Name)), " ")),
			Reason:     reason,
		}, h.s, h.e)
		if (h.cost == 0 || h.inserted) && disguised(seen, k.name) {
			add(models.Signal{
				Type:       models.SignalDisguisedBrand,
				BrandID:    b.ID,
				Value:      value,
				Confidence: brandConfidence(h, maxCost(len(k.skel)), false),
				Reason:     fmt.Sprintf("%s spells %s as %q, which a text search for the name misses", where, b.Name, seen),
			}, h.s, h.e)
		}
	}

	for _, h := range terms {
		t := m.lex.terms[h.term]
		seen := nt.seen(h.s, h.e)
		reason := fmt.Sprintf("%s says %q, a counterfeit term (%s)", where, seen, t.Value)
		if strings.EqualFold(seen, t.Value) {
			reason = fmt.Sprintf("%s says %q, a counterfeit term", where, seen)
		}
		add(models.Signal{
			Type:       models.SignalRiskTerm,
			Value:      t.Value,
			Confidence: t.Confidence,
			Reason:     reason,
		}, h.s, h.e)
	}

	for _, h := range m.findContacts(&nt, opt.Region) {
		conf := 0.85
		switch {
		case h.kind == models.ContactEmail:
			conf = 0.95
		case h.cue != "" && strings.Contains(h.cue, "."):
			conf = 0.95 // a messenger link
		case h.cue != "":
			conf = 0.9
		case h.kind == models.ContactURL:
			conf = 0.8
		}
		add(models.Signal{
			Type:       models.SignalContact,
			Kind:       h.kind,
			Value:      h.value,
			Confidence: conf,
			Reason:     fmt.Sprintf("%s gives %s %s", where, contactNoun(h.kind), h.value),
		}, h.s, h.e)
	}
	return out
}

func contactNoun(kind string) string {
	switch kind {
	case models.ContactWhatsApp:
		return "a WhatsApp contact"
	case models.ContactWeChat:
		return "a WeChat contact"
	case models.ContactTelegram:
		return "a Telegram contact"
	case models.ContactEmail:
		return "an e-mail address"
	case models.ContactURL:
		return "a web address"
	}
	return "a phone number"
}

// dedupe keeps one signal per type, brand, value, kind and source: the
// most confident, in order of first appearance.
func dedupe(sigs []models.Signal) []models.Signal {
	type key struct {
		t                          models.SignalType
		brand, value, kind, source string
	}
	pos := map[key]int{}
	var out []models.Signal
	for _, s := range sigs {
		k := key{s.Type, s.BrandID, s.Value, s.Kind, s.Source}
		if i, ok := pos[k]; ok {
			if s.Confidence > out[i].Confidence {
				out[i] = s
			}
			continue
		}
		pos[k] = len(out)
		out = append(out, s)
	}
	return slices.Clip(out)
}
