package text

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"

	"counterlens/models"
)

// contactHit is a way to reach the seller found in runes [s, e).
type contactHit struct {
	kind  string
	value string
	s, e  int
	// cue is the word that gave the kind ("WhatsApp", "t.me"), if any.
	cue string
}

func (h contactHit) span() (int, int) { return h.s, h.e }

var (
	emailRe = regexp.MustCompile(`[a-z0-9][a-z0-9._%+\-]*\s?(?:@|\(at\)|\[at\])\s?([a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z]{2,24})`)
	urlRe   = regexp.MustCompile(`(https?://)?((?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+([a-z]{2,12}))(?::\d{2,5})?(/[^\s]*)?`)
	// kwRe finds words that say which messenger a number or handle is for.
	kwRe = regexp.MustCompile(`(?:^|[^a-z0-9])(wh?at+'?s?\s?ap+|w/a|wa|we\s?chat|weixin|微信|wx|vx|v|telegram|telegr\.?am|tg|tel|tél|phone|telephone|téléphone|telefon|telefono|teléfono|telefone|handy|mobile|mobil|cell|call|sms|whats)(?:$|[^a-z0-9])`)
	// handleRe reads a handle right after a messenger word.
	handleRe = regexp.MustCompile(`^\s*(?:id|号|account|acc|user|username)?\.?\s*([:：=>]|-|\s)\s*(@?)([a-z][a-z0-9_\-\.]{3,31})`)
	// phoneRe finds digit runs that may be phone numbers.
	phoneRe = regexp.MustCompile(`(?:\+|\b00)?\s?\(?\d[\d \-\.\(\)/]{5,24}\d`)
	// waPhoneRe reads the number of a WhatsApp link.
	waPhoneRe = regexp.MustCompile(`^(?:wa\.me|api\.whatsapp\.com|whatsapp\.com)/(?:send/?\?phone=|\+)?(\d{7,15})`)
)

// tlds are the top-level domains accepted without a scheme. Short ones that
// are common words in a sentence after a full stop ("to", "me", "no") are
// left out: "t.me" links are read separately.
var tlds = wordSet(strings.Fields(`com net org info biz shop store online site top xyz club vip io co app ly cc tv
	ru cn uk de fr es it pl cz nl eu be at ch se dk fi pt ie us ca au nz jp kr hk tw sg my in br mx ar tr ua su
	by kz vn th ph ro hu gr sk bg hr si lt lv ee live link click website space fun tech world today life pro asia
	ws bz la gg cx icu cyou buzz sale deals fashion boutique`))

// cueKind maps a messenger word to a contact kind.
func cueKind(w string) string {
	w = strings.Join(strings.Fields(w), "")
	switch {
	case w == "wa" || w == "w/a" || w == "whats" || strings.HasPrefix(w, "wh") || strings.HasPrefix(w, "wat"):
		return models.ContactWhatsApp
	case w == "wechat" || w == "weixin" || w == "微信" || w == "wx" || w == "vx" || w == "v":
		return models.ContactWeChat
	case strings.HasPrefix(w, "tele") && strings.Contains(w, "gr") || w == "tg":
		return models.ContactTelegram
	}
	return models.ContactPhone
}

type cue struct {
	kind string
	word string
	s, e int // runes
}

// findContacts returns e-mail addresses, links, messenger handles and phone
// numbers in nt.
func (m *Matcher) findContacts(nt *normText, region string) []contactHit {
	f := string(nt.runes)
	idx := runeIndex(f)
	var hits []contactHit
	used := func(s, e int) bool {
		for _, h := range hits {
			if s < h.e && h.s < e {
				return true
			}
		}
		return false
	}

	for _, mm := range emailRe.FindAllStringSubmatchIndex(f, -1) {
		v := f[mm[0]:mm[1]]
		v = strings.NewReplacer(" ", "", "(at)", "@", "[at]", "@").Replace(v)
		v = strings.Trim(v, ".-_")
		hits = append(hits, contactHit{kind: models.ContactEmail, value: v, s: idx[mm[0]], e: idx[mm[1]]})
	}

	for _, mm := range urlRe.FindAllStringSubmatchIndex(f, -1) {
		s, e := idx[mm[0]], idx[mm[1]]
		if used(s, e) || (mm[0] > 0 && (isWordRune(rune(f[mm[0]-1])) || f[mm[0]-1] == '@')) {
			continue
		}
		host := trimWWW(f[mm[4]:mm[5]])
		tld := f[mm[6]:mm[7]]
		scheme := mm[2] >= 0
		if h := contactFromLink(host, f[mm[4]:mm[1]], region); h != nil {
			h.s, h.e = s, e
			hits = append(hits, *h)
			continue
		}
		if !scheme && (!tlds[tld] || !hasLetter(strings.TrimSuffix(host, "."+tld))) {
			continue
		}
		if m.isOfficial(host) {
			hits = append(hits, contactHit{kind: "", s: s, e: e}) // consumed, not reported
			continue
		}
		v := host
		if mm[8] >= 0 {
			// the path as written (case kept), without query and fragment
			a, b := nt.srcSpan(idx[mm[8]], idx[mm[9]])
			p := norm.NFKC.String(nt.src[a:b])
			if i := strings.IndexAny(p, "?#"); i >= 0 {
				p = p[:i]
			}
			p = strings.TrimRight(p, ".,;:!?)]}'\"/")
			v += p
		}
		// strip sentence punctuation the host regexp cannot see
		hits = append(hits, contactHit{kind: models.ContactURL, value: v, s: s, e: e})
	}

	// messenger words, in order
	var cues []cue
	for _, mm := range kwRe.FindAllStringSubmatchIndex(f, -1) {
		w := f[mm[2]:mm[3]]
		c := cue{kind: cueKind(w), word: w, s: idx[mm[2]], e: idx[mm[3]]}
		if w == "v" && !strings.HasPrefix(strings.TrimLeft(f[mm[3]:], " "), ":") && !strings.HasPrefix(strings.TrimLeft(f[mm[3]:], " "), "：") {
			continue
		}
		cues = append(cues, c)
	}
	cues = labelCues(f, idx, cues)
	// handles right after a messenger word: "WeChat: shoeking88", "TG @plug"
	for _, c := range cues {
		if c.kind != models.ContactWeChat && c.kind != models.ContactTelegram {
			continue
		}
		rest := handleDigits(f[idxByte(f, c.e):])
		if h, n, ok := splitHandle(rest, c.kind); ok {
			base := idxByte(f, c.e)
			s, e := idx[base+n-len(h)], idx[base+n]
			if !used(s, e) {
				hits = append(hits, contactHit{kind: c.kind, value: h, s: s, e: e, cue: c.word})
			}
			continue
		}
		mm := handleRe.FindStringSubmatchIndex(rest)
		if mm == nil {
			continue
		}
		sep, at, h := rest[mm[2]:mm[3]], rest[mm[4]:mm[5]], rest[mm[6]:mm[7]]
		h = strings.TrimRight(h, ".-")
		strong := strings.TrimSpace(sep) != "" || at != "" || strings.ContainsAny(h, "0123456789_")
		if !strong || stopHandles[h] || kwRe.MatchString(" "+h+" ") {
			continue
		}
		if c.kind == models.ContactTelegram && (len(h) < 5 || strings.ContainsAny(h, "-.")) {
			continue
		}
		if c.kind == models.ContactWeChat && len(h) < 6 {
			continue
		}
		base := idxByte(f, c.e)
		s, e := idx[base+mm[4]], idx[base+mm[6]]+len([]rune(h))
		if mm[4] == mm[5] {
			s = idx[base+mm[6]]
		}
		if used(s, e) {
			continue
		}
		hits = append(hits, contactHit{kind: c.kind, value: h, s: s, e: e, cue: c.word})
	}

	// phone numbers, read where OCR took 0 for O and 1 for l
	pf := phoneDigits(nt.runes)
	for _, mm := range phoneRe.FindAllStringIndex(pf, -1) {
		for _, part := range splitPhone(pf, mm[0], mm[1]) {
			s, e := idx[part[0]], idx[part[1]]
			if used(s, e) {
				continue
			}
			num := pf[part[0]:part[1]]
			c, cued := nearestCue(cues, s, e, hits)
			v, ok := parsePhone(num, region, cued)
			// OCR may read a speck after the number as a digit group
			// ("+44 7911 123456 9"): drop trailing groups until it parses
			for cut := num; !ok; {
				i := strings.LastIndexByte(cut, ' ')
				if i <= 0 {
					break
				}
				cut = strings.TrimRight(cut[:i], " -./(")
				if v, ok = parsePhone(cut, region, cued); ok {
					e = idx[part[0]+len(cut)]
				}
			}
			if !ok {
				continue
			}
			h := contactHit{kind: models.ContactPhone, value: v, s: s, e: e}
			if cued {
				h.kind, h.cue = c.kind, c.word
			}
			hits = append(hits, h)
		}
	}
	out := hits[:0]
	for _, h := range hits {
		if h.kind != "" {
			out = append(out, h)
		}
	}
	return out
}

var stopHandles = wordSet(strings.Fields(`only available please contact message me us for and or the with number account
	group channel official support id online now here inbox dm pm add ask join send text chat write click today`))

// contactFromLink reads messenger links: t.me/NAME, wa.me/NUMBER.
func contactFromLink(host, link, region string) *contactHit {
	switch host {
	case "t.me", "telegram.me", "telegram.dog":
		p := strings.TrimPrefix(link, host)
		p = strings.TrimPrefix(p, "/")
		p = strings.TrimPrefix(p, "s/")
		name := strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '?' || r == '#' })
		if len(name) == 0 || !validTelegram(name[0]) {
			return nil
		}
		return &contactHit{kind: models.ContactTelegram, value: name[0], cue: host}
	case "wa.me", "api.whatsapp.com", "whatsapp.com":
		mm := waPhoneRe.FindStringSubmatch(link)
		if mm == nil {
			return nil
		}
		v, ok := parsePhone("+"+mm[1], region, true)
		if !ok {
			return nil
		}
		return &contactHit{kind: models.ContactWhatsApp, value: v, cue: host}
	}
	return nil
}

var telegramRe = regexp.MustCompile(`^[a-z][a-z0-9_]{4,31}$`)

func validTelegram(s string) bool { return telegramRe.MatchString(s) }

func (m *Matcher) isOfficial(host string) bool {
	for h := host; h != ""; {
		if m.official[h] {
			return true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return false
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// idxByte returns the byte offset of rune index r in s.
func idxByte(s string, r int) int {
	n := 0
	for i := range s {
		if n == r {
			return i
		}
		n++
	}
	return len(s)
}

// phoneDigits returns the folded text with o, l, i and | read as digits
// where they touch a digit, as OCR and sellers write "77OO 9OO123".
func phoneDigits(rs []rune) string {
	out := make([]rune, len(rs))
	copy(out, rs)
	digit := func(i int) bool { return i >= 0 && i < len(out) && out[i] >= '0' && out[i] <= '9' }
	for changed := true; changed; {
		changed = false
		for i, r := range out {
			var d rune
			switch r {
			case 'o':
				d = '0'
			case 'l', 'i', '|':
				d = '1'
			default:
				continue
			}
			if digit(i-1) || digit(i+1) {
				out[i] = d
				changed = true
			}
		}
	}
	return string(out)
}

// splitPhone splits a digit run where it holds more than one number:
// at wide gaps and slashes between groups.
func splitPhone(s string, a, b int) [][2]int {
	var out [][2]int
	start := a
	for i := a; i < b; i++ {
		if (s[i] == ' ' && i+1 < b && s[i+1] == ' ') || (s[i] == '/' && i > a && s[i-1] == ' ') {
			out = append(out, trimPhone(s, start, i))
			start = i + 1
		}
	}
	out = append(out, trimPhone(s, start, b))
	return out
}

func trimPhone(s string, a, b int) [2]int {
	for a < b && strings.IndexByte(" -./)", s[a]) >= 0 {
		a++
	}
	for b > a && strings.IndexByte(" -./(", s[b-1]) >= 0 {
		b--
	}
	return [2]int{a, b}
}

// parsePhone parses a candidate number and returns it in E.164. Without a
// default region only international numbers (+44…, 0044…) are accepted.
// A number in international form or labelled as a contact ("WhatsApp:",
// "Tel") needs only a possible length for its country, so that reserved
// ranges sellers and examples use (+44 7700 900…) are read; a bare
// national number must be valid.
func parsePhone(num, region string, labelled bool) (string, bool) {
	digits := 0
	for _, r := range num {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 7 || digits > 15 {
		return "", false
	}
	num = strings.TrimSpace(num)
	if strings.HasPrefix(num, "00") {
		num = "+" + num[2:]
	}
	intl := strings.HasPrefix(num, "+")
	if region == "" {
		if !intl {
			return "", false
		}
		region = "ZZ"
	}
	p, err := phonenumbers.Parse(num, strings.ToUpper(region))
	if err != nil {
		return "", false
	}
	if !phonenumbers.IsValidNumber(p) && !((intl || labelled) && phonenumbers.IsPossibleNumber(p)) {
		return "", false
	}
	return phonenumbers.Format(p, phonenumbers.E164), true
}

// nearestCue returns the messenger word that labels the number in runes
// [s, e): the last one before it within a short distance with no other
// contact in between, else one right after it ("+44 … (WhatsApp)").
func nearestCue(cues []cue, s, e int, hits []contactHit) (cue, bool) {
	const before, after = 40, 16
	best, ok := cue{}, false
	for _, c := range cues {
		if c.e <= s && s-c.e <= before {
			between := false
			for _, h := range hits {
				if h.s >= c.e && h.e <= s && h.kind != "" {
					between = true
				}
			}
			if !between {
				best, ok = c, true
			}
		}
	}
	if ok {
		return best, true
	}
	for _, c := range cues {
		if c.s >= e && c.s-e <= after {
			return c, true
		}
	}
	return cue{}, false
}
