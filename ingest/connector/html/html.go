// Package html crawls a generic HTML listing page (a shop's category or
// search page, a classifieds board) by CSS selectors, parsed with
// github.com/PuerkitoBio/goquery.
//
// The source's URL is the first page; its query is a JSON object of
// selectors:
//
//	{"item": ".product", "title": "h2", "price": ".price", "link": "a.title",
//	 "image": "img", "seller": ".shop-name", "next": "a[rel=next]"}
//
// item (required) selects each offer; the others are looked up inside it,
// except next, which is looked up in the page. title, price and seller
// take the element's text; link and next its href; image every match's
// src (or data-src, data-original, or the first srcset candidate). With no
// title selector the link's text is the title; with no seller selector
// the seller is the site's host. Pages are followed through next while
// they stay on the first page's origin, up to the page cap.
//
// Listing pages show no dates: the incremental state is the set of the
// offer ids (their link URLs) seen lately, and an offer is new when its id
// is not in it.
package html

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"counterlens/ingest/connector"
	"counterlens/models"
)

// maxSeen caps the ids kept in the state.
const maxSeen = 2000

// Connector crawls HTML listing pages.
type Connector struct {
	doer connector.Doer
	cfg  connector.Config
}

var _ connector.Connector = (*Connector)(nil)

// New returns an HTML connector.
func New(doer connector.Doer, cfg connector.Config) *Connector {
	return &Connector{doer: doer, cfg: cfg}
}

// Selectors are the CSS selectors of a source, read from its query.
type Selectors struct {
	Item   string `json:"item"`
	Title  string `json:"title"`
	Price  string `json:"price"`
	Link   string `json:"link"`
	Image  string `json:"image"`
	Seller string `json:"seller"`
	Next   string `json:"next"`
}

// ParseSelectors reads and checks the selectors of a source query.
func ParseSelectors(query string) (Selectors, error) {
	var s Selectors
	dec := json.NewDecoder(strings.NewReader(query))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Selectors{}, fmt.Errorf("%w: selectors: %w", connector.ErrBadSource, err)
	}
	if strings.TrimSpace(s.Item) == "" {
		return Selectors{}, fmt.Errorf("%w: selectors: item is required", connector.ErrBadSource)
	}
	for name, sel := range map[string]string{"item": s.Item, "title": s.Title, "price": s.Price, "link": s.Link,
		"image": s.Image, "seller": s.Seller, "next": s.Next} {
		if sel == "" {
			continue
		}
		if _, err := cascadia.ParseGroup(sel); err != nil {
			return Selectors{}, fmt.Errorf("%w: selector %s: %w", connector.ErrBadSource, name, err)
		}
	}
	return s, nil
}

// Crawl returns the offers on the pages of src not in state, in page
// order.
func (c *Connector) Crawl(ctx context.Context, src models.Source, st string) (connector.Result, error) {
	start, err := pageURL(src.URL)
	if err != nil {
		return connector.Result{}, err
	}
	sels, err := ParseSelectors(src.Query)
	if err != nil {
		return connector.Result{}, err
	}
	var prev []string
	if err := connector.ReadState("html", st, &prev); err != nil {
		return connector.Result{}, err
	}
	known := make(map[string]bool, len(prev))
	for _, id := range prev {
		known[id] = true
	}

	var res connector.Result
	var ids []string
	seen := make(map[string]bool)
	visited := make(map[string]bool)
	next := start
	for page := 0; next != nil && page < c.cfg.MaxPages && !visited[next.String()]; page++ {
		visited[next.String()] = true
		doc, err := c.page(ctx, next)
		if err != nil {
			return connector.Result{}, err
		}
		var items []models.Listing
		doc.Find(sels.Item).Each(func(_ int, it *goquery.Selection) {
			if l, ok := listing(src.Type, doc.base, sels, it); ok {
				items = append(items, l)
			}
		})
		for _, l := range items {
			if seen[l.ExternalID] {
				continue
			}
			seen[l.ExternalID] = true
			ids = append(ids, l.ExternalID)
			if !known[l.ExternalID] {
				res.Listings = append(res.Listings, l)
			}
		}
		next = nil
		if sels.Next != "" {
			href, ok := doc.Find(sels.Next).First().Attr("href")
			if u := resolve(doc.base, href); ok && u != nil {
				if same, ok := connector.SameOrigin(start, u.String()); ok {
					next = same
				}
			}
		}
	}
	if next == nil || visited[next.String()] {
		// Pagination ended (or led back to a page read), not at the page
		// cap: the ids seen are every listing the pages hold now.
		res.Present = slices.Clone(ids)
		if res.Present == nil {
			res.Present = []string{}
		}
	}
	// The ids of this crawl first, then the older ones, capped.
	for _, id := range prev {
		if !seen[id] {
			ids = append(ids, id)
		}
	}
	if len(ids) > maxSeen {
		ids = ids[:maxSeen]
	}
	if len(ids) == 0 {
		res.State = st
		return res, nil
	}
	raw, err := json.Marshal(ids)
	if err != nil {
		return connector.Result{}, err
	}
	res.State = string(raw)
	return res, nil
}

// pageURL takes an absolute http(s) page URL, query included.
func pageURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("%w: %q is not an http(s) page URL", connector.ErrBadSource, raw)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// page is one fetched document and the URL its links resolve against.
type page struct {
	*goquery.Document
	base *url.URL
}

func (c *Connector) page(ctx context.Context, u *url.URL) (page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return page{}, fmt.Errorf("%w: %w", connector.ErrBadSource, err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	body, hdr, err := connector.Send(c.doer, req, c.cfg.MaxPageBytes)
	if err != nil {
		return page{}, fmt.Errorf("html: page: %w", err)
	}
	if ct := strings.ToLower(hdr.Get("Content-Type")); ct != "" && !strings.Contains(ct, "html") {
		return page{}, fmt.Errorf("%w: %s is %s, not HTML", connector.ErrBadResponse, u.Redacted(), ct)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return page{}, fmt.Errorf("html: page: %w: %w", connector.ErrBadResponse, err)
	}
	base := u
	// A <base href> changes what relative links resolve against.
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b := resolve(u, href); b != nil {
			base = b
		}
	}
	return page{Document: doc, base: base}, nil
}

// resolve makes ref absolute against base; nil unless it is http(s).
func resolve(base *url.URL, ref string) *url.URL {
	ref = strings.TrimSpace(ref)
	if ref == "" || base == nil {
		return nil
	}
	r, err := url.Parse(ref)
	if err != nil {
		return nil
	}
	u := base.ResolveReference(r)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	u.Fragment, u.RawFragment = "", ""
	return u
}

// text is the selection's text with runs of space collapsed.
func text(s *goquery.Selection) string {
	return strings.Join(strings.Fields(s.Text()), " ")
}

// listing reads one item; false if it has neither a title nor a link.
func listing(platform string, base *url.URL, sels Selectors, it *goquery.Selection) (models.Listing, bool) {
	l := models.Listing{Platform: platform, ImageURLs: []string{}, Seller: base.Hostname()}
	var link *goquery.Selection
	switch {
	case sels.Link != "":
		link = it.Find(sels.Link).First()
	case it.Is("a[href]"):
		link = it
	default:
		link = it.Find("a[href]").First()
	}
	if href, ok := link.Attr("href"); ok {
		if u := resolve(base, href); u != nil {
			l.URL = u.String()
		}
	}
	if sels.Title != "" {
		l.Title = text(it.Find(sels.Title).First())
	} else {
		l.Title = text(link)
	}
	if l.Title == "" && l.URL == "" {
		return models.Listing{}, false
	}
	if sels.Seller != "" {
		if s := text(it.Find(sels.Seller).First()); s != "" {
			l.Seller = s
		}
	}
	if sels.Price != "" {
		l.Price, l.Currency = ParsePrice(text(it.Find(sels.Price).First()))
	}
	imgs := it.Find("img")
	if sels.Image != "" {
		imgs = it.Find(sels.Image)
	}
	seen := make(map[string]bool)
	imgs.Each(func(_ int, im *goquery.Selection) {
		for _, attr := range []string{"src", "data-src", "data-original", "srcset"} {
			v, ok := im.Attr(attr)
			if !ok || strings.HasPrefix(strings.TrimSpace(v), "data:") {
				continue
			}
			if attr == "srcset" {
				v, _, _ = strings.Cut(strings.TrimSpace(v), " ")
			}
			if u := resolve(base, v); u != nil {
				if s, ok := connector.ImageURL(u.String()); ok && !seen[s] {
					seen[s] = true
					l.ImageURLs = append(l.ImageURLs, s)
				}
				return
			}
		}
	})
	l.Desc = text(it)
	if l.URL != "" {
		l.ExternalID = l.URL
	} else { // no link: the item's content names it
		sum := sha256.Sum256([]byte(l.Title + "\x00" + strings.Join(l.ImageURLs, "\x00")))
		l.ExternalID = "sha256:" + hex.EncodeToString(sum[:16])
	}
	return l, true
}

var (
	// currencies are the symbols read, in the order they are tried.
	currencies = [][2]string{{"€", "EUR"}, {"£", "GBP"}, {"$", "USD"}, {"¥", "JPY"}, {"₽", "RUB"}, {"₹", "INR"}, {"zł", "PLN"}}
	isoRE      = regexp.MustCompile(`\b(EUR|USD|GBP|CHF|JPY|CNY|RUB|INR|PLN|CAD|AUD|SEK|NOK|DKK|CZK|TRY|BRL)\b`)
	amountRE   = regexp.MustCompile(`[0-9](?:[0-9]|[.,'\x{00a0}\x{202f} ](?:[0-9]))*`)
)

// ParsePrice reads a shop's displayed price: "1.299,00 €", "$1,299.99",
// "CHF 1'299.–", "19,99". The decimal separator is the last "." or ","
// followed by one or two digits; the other separators group thousands.
// It returns 0 and "" for text with no amount.
func ParsePrice(s string) (float64, string) {
	cur := ""
	if m := isoRE.FindString(strings.ToUpper(s)); m != "" {
		cur = m
	} else {
		for _, c := range currencies {
			if strings.Contains(s, c[0]) {
				cur = c[1]
				break
			}
		}
	}
	num := amountRE.FindString(s)
	if num == "" {
		return 0, ""
	}
	intPart, frac := num, ""
	if i := strings.LastIndexAny(num, ".,"); i >= 0 && len(num)-i-1 <= 2 {
		intPart, frac = num[:i], num[i+1:]
	}
	var b strings.Builder
	for _, r := range intPart {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	v := b.String()
	if frac != "" {
		v += "." + frac
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f > 1e12 {
		return 0, ""
	}
	return f, cur
}
