// Package policy applies a brand's policy to a listing: which price floor
// applies (by currency and by the product type the listing's words name),
// whether the seller is authorised, whether the listing is on one of the
// brand's own domains. It is pure Go and does no I/O, so the API validates
// with the same vocabulary the analysis uses.
package policy

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"counterlens/models"
)

//go:embed producttypes.json
var productTypesJSON []byte

// vocabulary maps each product type to its phrases, each a list of tokens.
var vocabulary = mustVocabulary(productTypesJSON)

func mustVocabulary(data []byte) map[string][][]string {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		panic(fmt.Sprintf("policy: producttypes.json: %v", err))
	}
	v := make(map[string][][]string, len(raw))
	for typ, words := range raw {
		list, ok := words.([]any)
		if strings.HasPrefix(typ, "_") || !ok {
			continue
		}
		for _, w := range list {
			s, _ := w.(string)
			if toks := tokens(s); len(toks) > 0 {
				v[typ] = append(v[typ], toks)
			}
		}
	}
	return v
}

// ProductTypes returns every product type a price floor may name, sorted.
func ProductTypes() []string {
	out := make([]string, 0, len(vocabulary))
	for t := range vocabulary {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// KnownProductType reports whether t is one of [ProductTypes].
func KnownProductType(t string) bool {
	_, ok := vocabulary[t]
	return ok
}

// tokens splits lower-cased text into runs of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// ProductTypesIn returns the product types text names, sorted.
func ProductTypesIn(text string) []string {
	toks := tokens(text)
	var out []string
	for typ, phrases := range vocabulary {
		if slices.ContainsFunc(phrases, func(p []string) bool { return containsRun(toks, p) }) {
			out = append(out, typ)
		}
	}
	slices.Sort(out)
	return out
}

func containsRun(toks, run []string) bool {
	for i := 0; i+len(run) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// Floors returns every price floor of b: MinPrice (for any product type)
// and MinPrices.
func Floors(b models.Brand) []models.PriceFloor {
	out := make([]models.PriceFloor, 0, len(b.MinPrices)+1)
	if m := b.MinPrice; m != nil {
		out = append(out, models.PriceFloor{Amount: m.Amount, Currency: m.Currency})
	}
	return append(out, b.MinPrices...)
}

// FloorFor returns the price floor of b that applies to a listing priced in
// currency whose title and description are text: among the floors in that
// currency, those of a product type the text names win over those for any
// type; when several apply at the same level, the lowest (the most
// cautious) is taken.
func FloorFor(b models.Brand, currency, text string) (models.PriceFloor, bool) {
	var typed, general []models.PriceFloor
	named := ProductTypesIn(text)
	for _, f := range Floors(b) {
		if !strings.EqualFold(f.Currency, currency) || f.Amount <= 0 {
			continue
		}
		if f.ProductType == "" {
			general = append(general, f)
			continue
		}
		if slices.Contains(named, f.ProductType) {
			typed = append(typed, f)
		}
	}
	for _, set := range [][]models.PriceFloor{typed, general} {
		if len(set) > 0 {
			return slices.MinFunc(set, func(a, b models.PriceFloor) int { return cmp.Compare(a.Amount, b.Amount) }), true
		}
	}
	return models.PriceFloor{}, false
}

// AuthorizedSeller reports whether seller is one of b's authorised sellers
// (case-insensitively).
func AuthorizedSeller(b models.Brand, seller string) bool {
	seller = strings.TrimSpace(seller)
	return seller != "" && slices.ContainsFunc(b.AuthorizedSellers, func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), seller) })
}

// Domain returns the host name of an official domain entry, which may be
// given as a bare name ("nike.com") or a URL ("https://www.nike.com/"); ""
// when it names no host.
func Domain(entry string) string {
	entry = strings.TrimSpace(entry)
	if !strings.Contains(entry, "://") {
		entry = "https://" + entry
	}
	u, err := url.Parse(entry)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
}

// OnOfficialDomain reports whether the listing at rawURL is on one of b's
// official domains or their subdomains.
func OnOfficialDomain(b models.Brand, rawURL string) bool {
	host := Domain(rawURL)
	if host == "" || !strings.Contains(rawURL, "://") {
		return false
	}
	return slices.ContainsFunc(b.OfficialDomains, func(d string) bool {
		d = Domain(d)
		return d != "" && (host == d || strings.HasSuffix(host, "."+d))
	})
}
