package text

import (
	"regexp"
	"slices"
	"strings"

	"counterlens/models"
)

// What tesseract does to contacts, read back: a messenger word misspelt
// before its colon ("WecChat:"), an 8 read as & ("shoeking&8"), the
// underscore of a handle read as a space ("lux bags"), the w of "www."
// doubled ("wwww.").

// labelRe finds a word right before a colon: a label ("WeChat:").
var labelRe = regexp.MustCompile(`(?:^|[^a-z0-9])([a-z]{5,12})\s?[:：]`)

// labelNames are the messenger words a label may misspell, each long
// enough that one edit does not reach an ordinary word.
var labelNames = []string{"wechat", "weixin", "whatsapp", "telegram"}

// labelCues adds to cues, which kwRe found in the folded text f (idx maps
// its bytes to runes), the labels that are one OCR edit from a messenger
// word: the colon says a handle or number follows, so a misread label
// still names its kind. The cues come back in text order.
func labelCues(f string, idx []int, cues []cue) []cue {
	n := len(cues)
	for _, mm := range labelRe.FindAllStringSubmatchIndex(f, -1) {
		s, e := idx[mm[2]], idx[mm[3]]
		if slices.ContainsFunc(cues[:n], func(c cue) bool { return s < c.e && c.s < e }) {
			continue
		}
		w := []rune(f[mm[2]:mm[3]])
		for _, name := range labelNames {
			if editCost(w, []rune(name), costEdit) <= costEdit {
				cues = append(cues, cue{kind: cueKind(name), word: string(w), s: s, e: e})
				break
			}
		}
	}
	if len(cues) > n {
		slices.SortStableFunc(cues, func(a, b cue) int { return a.s - b.s })
	}
	return cues
}

// handleDigits returns s with each & inside a word and before a digit
// read as the 8 tesseract took it for ("shoeking&8"); the bytes keep their
// offsets. An & at a word's end is a speck read after it ("shoeking88&").
func handleDigits(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	b := []byte(s)
	digit := func(i int) bool { return i >= 0 && i < len(b) && b[i] >= '0' && b[i] <= '9' }
	alnum := func(i int) bool { return i >= 0 && (digit(i) || b[i] >= 'a' && b[i] <= 'z') }
	for i, c := range b {
		if c == '&' && alnum(i-1) && digit(i+1) {
			b[i] = '8'
		}
	}
	return string(b)
}

// splitHandleRe reads two pieces after a label's colon: "VX: lux bags".
var splitHandleRe = regexp.MustCompile(`^\s*[:：=]\s*@?([a-z][a-z0-9_\-]{1,30}) ([a-z0-9][a-z0-9_\-]{2,30})(?:$|[^a-z0-9_\-.@])`)

// minHandle is the shortest ID each messenger allows.
var minHandle = map[string]int{models.ContactWeChat: 6, models.ContactTelegram: 5}

// splitHandle reads a handle whose underscore tesseract read as a space:
// after a label's colon, a first piece too short to be an ID of the
// label's kind on its own, then one space and a second piece. The pieces
// are joined with the underscore. It returns the handle and the byte
// offset in rest where it ends; ok is false when rest holds no such pair
// or a piece is a word ("WeChat: add me", "TG: ask now").
func splitHandle(rest, kind string) (h string, end int, ok bool) {
	short, known := minHandle[kind]
	if !known {
		return "", 0, false
	}
	mm := splitHandleRe.FindStringSubmatchIndex(rest)
	if mm == nil {
		return "", 0, false
	}
	a, b := rest[mm[2]:mm[3]], rest[mm[4]:mm[5]]
	if len(a) >= short || stopHandles[a] || stopHandles[b] || kwRe.MatchString(" "+a+" ") || kwRe.MatchString(" "+b+" ") {
		return "", 0, false
	}
	h = a + "_" + b
	if len(h) < short || len(h) > 20 && kind == models.ContactWeChat || kind == models.ContactTelegram && !validTelegram(h) {
		return "", 0, false
	}
	return h, mm[5], true
}

// trimWWW drops the www label of a host, also where OCR doubled or lost
// one of its w's ("wwww.", "ww."), as long as a domain is left.
func trimWWW(host string) string {
	i := 0
	for i < len(host) && host[i] == 'w' {
		i++
	}
	if i >= 2 && i <= 5 && i < len(host) && host[i] == '.' && strings.Contains(host[i+1:], ".") {
		return host[i+1:]
	}
	return host
}
