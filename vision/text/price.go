package text

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"counterlens/models"
)

// currencyWords maps symbols and codes, as written after NFKC and upper
// casing, to ISO 4217 codes. "$" alone is taken as USD and "¥" as JPY.
var currencyWords = map[string]string{
	"€": "EUR", "EUR": "EUR", "EURO": "EUR", "EUROS": "EUR",
	"$": "USD", "US$": "USD", "USD": "USD", "U$S": "USD",
	"£": "GBP", "GBP": "GBP",
	"HK$": "HKD", "HKD": "HKD",
	"A$": "AUD", "AU$": "AUD", "AUD": "AUD",
	"C$": "CAD", "CA$": "CAD", "CAD": "CAD",
	"NZ$": "NZD", "NZD": "NZD", "S$": "SGD", "SGD": "SGD", "R$": "BRL", "BRL": "BRL",
	"¥": "JPY", "JPY": "JPY", "円": "JPY", "CN¥": "CNY", "RMB": "CNY", "CNY": "CNY", "元": "CNY",
	"₩": "KRW", "KRW": "KRW", "₹": "INR", "INR": "INR", "RS": "INR", "₽": "RUB", "RUB": "RUB",
	"₺": "TRY", "TRY": "TRY", "₴": "UAH", "UAH": "UAH",
	"ZŁ": "PLN", "ZL": "PLN", "PLN": "PLN", "KČ": "CZK", "CZK": "CZK", "CHF": "CHF", "FR.": "CHF",
	"SEK": "SEK", "NOK": "NOK", "DKK": "DKK", "KR": "SEK", "KR.": "DKK", "HUF": "HUF", "FT": "HUF",
	"RON": "RON", "LEI": "RON", "MXN": "MXN", "AED": "AED", "ZAR": "ZAR",
}

var (
	curAlt = func() string {
		var alts []string
		for k := range currencyWords {
			alts = append(alts, regexp.QuoteMeta(k))
		}
		// longest first so "HK$" wins over "$"
		for i := range alts {
			for j := i + 1; j < len(alts); j++ {
				if len(alts[j]) > len(alts[i]) || (len(alts[j]) == len(alts[i]) && alts[j] < alts[i]) {
					alts[i], alts[j] = alts[j], alts[i]
				}
			}
		}
		return strings.Join(alts, "|")
	}()
	amountPat = `\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`
	priceRe   = regexp.MustCompile(`(?:^|[^\pL\d])(?:(` + curAlt + `)\s?(` + amountPat + `)(?:[.,]-)?|(` + amountPat + `)(?:[.,]-)?\s?(` + curAlt + `))(?:$|[^\pL\d])`)
)

// ParsePrices returns the prices written in s: "€19.99", "19,99 EUR",
// "$25", "HK$ 200", "1.299,00 €", "49 zł".
func ParsePrices(s string) []models.Money {
	u := strings.ToUpper(norm.NFKC.String(s))
	var out []models.Money
	for rest := u; ; {
		mm := priceRe.FindStringSubmatchIndex(rest)
		if mm == nil {
			break
		}
		var cur, amt string
		if mm[2] >= 0 {
			cur, amt = rest[mm[2]:mm[3]], rest[mm[4]:mm[5]]
		} else {
			amt, cur = rest[mm[6]:mm[7]], rest[mm[8]:mm[9]]
		}
		if v, ok := parseAmount(amt); ok {
			out = append(out, models.Money{Amount: v, Currency: currencyWords[cur]})
		}
		// continue just before the end so a shared separator is not lost
		next := mm[1]
		if next > mm[0]+1 && next < len(rest) {
			next--
		}
		rest = rest[next:]
	}
	return out
}

// parseAmount reads 1,299.00 and 1.299,00 alike: the last separator
// followed by one or two digits is the decimal mark; the others group
// thousands.
func parseAmount(s string) (float64, bool) {
	s = strings.ReplaceAll(s, " ", "")
	s = strings.ReplaceAll(s, "'", "")
	dec := -1
	if i := strings.LastIndexAny(s, ".,"); i >= 0 && len(s)-i-1 <= 2 {
		dec = i
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case i == dec:
			b.WriteByte('.')
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	v, err := strconv.ParseFloat(b.String(), 64)
	return v, err == nil
}
