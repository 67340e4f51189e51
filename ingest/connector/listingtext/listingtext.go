// Package listingtext holds the text helpers the connectors share: HTML
// fragments of platform answers made plain, and the price written in a
// post's text.
package listingtext

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// PlainText turns an HTML fragment (a status, a product description) into
// text: paragraphs become
// blank-line separated, <br> a line break, tags vanish and entities are
// decoded. Malformed HTML yields what could be read.
func PlainText(content string) string {
	z := html.NewTokenizer(strings.NewReader(content))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "br":
				b.WriteString("\n")
			case "p", "li", "blockquote", "pre":
				b.WriteString("\n\n")
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "p", "li", "blockquote", "pre":
				b.WriteString("\n\n")
			}
		}
	}
}

// tidy trims each line and keeps at most one blank line in a row.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true
	for _, ln := range lines {
		ln = strings.Join(strings.Fields(ln), " ")
		if ln == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, ln)
		blank = false
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

var (
	symbols = map[string]string{"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}
	// A price: a symbol or ISO code before or after an amount.
	priceRE = regexp.MustCompile(`(?i)(?:(€|\$|£|¥|\b(?:EUR|USD|GBP|CHF|JPY|CNY)\b)\s?([0-9]{1,7}(?:[.,][0-9]{1,2})?)\b)|(?:\b([0-9]{1,7}(?:[.,][0-9]{1,2})?)\s?(€|\$|£|¥|(?:EUR|USD|GBP|CHF|JPY|CNY)\b))`)
)

// FindPrice returns the first price written in text, or 0 and "".
func FindPrice(text string) (float64, string) {
	m := priceRE.FindStringSubmatch(text)
	if m == nil {
		return 0, ""
	}
	cur, num := m[1], m[2]
	if cur == "" {
		num, cur = m[3], m[4]
	}
	if c, ok := symbols[cur]; ok {
		cur = c
	}
	v, err := strconv.ParseFloat(strings.Replace(num, ",", ".", 1), 64)
	if err != nil {
		return 0, ""
	}
	return v, strings.ToUpper(cur)
}
