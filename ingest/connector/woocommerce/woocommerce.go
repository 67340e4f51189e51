// Package woocommerce crawls a WooCommerce shop's public Store API,
// GET {base}/wp-json/wc/store/v1/products?search=Q&orderby=date&order=desc,
// paged by page and per_page up to the X-WP-TotalPages header. It needs no
// keys. Prices come in minor units with their currency's exponent.
//
// The Store API shows no product dates, so the incremental state is the
// highest product id seen: WordPress gives posts increasing ids, and a
// crawl stops at the first page that holds nothing newer. A product
// back-dated or scheduled under an older id is missed; an edited product
// is not crawled again.
//
// The Store API names no vendor: Seller is the shop's host.
package woocommerce

import (
	"context"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/listingtext"
	"counterlens/models"
)

// maxPerPage is the most products the Store API returns per page.
const maxPerPage = 100

// Connector crawls WooCommerce shops.
type Connector struct {
	doer connector.Doer
	cfg  connector.Config
}

var _ connector.Connector = (*Connector)(nil)

// New returns a WooCommerce connector.
func New(doer connector.Doer, cfg connector.Config) *Connector {
	return &Connector{doer: doer, cfg: cfg}
}

// Crawl returns the products of the shop at src.URL that match src.Query
// (all products if it is empty) and have an id above state, newest first.
// The new state is the highest id seen.
func (c *Connector) Crawl(ctx context.Context, src models.Source, state string) (connector.Result, error) {
	base, err := connector.BaseURL(src.URL)
	if err != nil {
		return connector.Result{}, err
	}
	var since int64
	if state != "" {
		since, err = strconv.ParseInt(state, 10, 64)
		if err != nil || since < 0 {
			return connector.Result{}, fmt.Errorf("woocommerce: bad state %q", state)
		}
	}
	perPage := min(max(c.cfg.PageSize, 1), maxPerPage)
	v := url.Values{"per_page": {strconv.Itoa(perPage)}, "orderby": {"date"}, "order": {"desc"}}
	if q := strings.TrimSpace(src.Query); q != "" {
		v.Set("search", q)
	}

	res := connector.Result{State: state}
	newest := since
	seen := make(map[int64]bool)
	for page := 1; page <= c.cfg.MaxPages; page++ {
		v.Set("page", strconv.Itoa(page))
		products, totalPages, err := c.page(ctx, base.String()+"/wp-json/wc/store/v1/products?"+v.Encode())
		if err != nil {
			return connector.Result{}, err
		}
		fresh := 0
		for i, p := range products {
			l, err := listing(src.Type, base, p)
			if err != nil {
				return connector.Result{}, fmt.Errorf("woocommerce: product %d of page %d: %w", i, page, err)
			}
			if p.ID <= since || seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			fresh++
			newest = max(newest, p.ID)
			res.Listings = append(res.Listings, l)
		}
		if fresh == 0 || page >= totalPages || len(products) < perPage {
			break // nothing newer past here, or the last page
		}
	}
	if newest > 0 {
		res.State = strconv.FormatInt(newest, 10)
	}
	return res, nil
}

// page fetches one page and the X-WP-TotalPages header (1 when absent).
func (c *Connector) page(ctx context.Context, u string) ([]product, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", connector.ErrBadSource, err)
	}
	req.Header.Set("Accept", "application/json")
	body, hdr, err := connector.Send(c.doer, req, c.cfg.MaxPageBytes)
	if err != nil {
		return nil, 0, fmt.Errorf("woocommerce: products: %w", err)
	}
	var ps []product
	if err := connector.Decode(body, &ps); err != nil {
		return nil, 0, fmt.Errorf("woocommerce: products: %w", err)
	}
	total := 1
	if h := hdr.Get("X-WP-TotalPages"); h != "" {
		total, err = strconv.Atoi(h)
		if err != nil || total < 0 {
			return nil, 0, fmt.Errorf("%w: X-WP-TotalPages %q", connector.ErrBadResponse, h)
		}
	}
	return ps, total, nil
}

type product struct {
	ID               int64  `json:"id"`
	Name             string `json:"name"`
	Slug             string `json:"slug"`
	Permalink        string `json:"permalink"`
	ShortDescription string `json:"short_description"`
	Description      string `json:"description"`
	Prices           *struct {
		Price             string `json:"price"`
		CurrencyCode      string `json:"currency_code"`
		CurrencyMinorUnit int    `json:"currency_minor_unit"`
		PriceRange        *struct {
			MinAmount string `json:"min_amount"`
		} `json:"price_range"`
	} `json:"prices"`
	Images []struct {
		Src string `json:"src"`
	} `json:"images"`
}

var (
	minorRE    = regexp.MustCompile(`^[0-9]{1,15}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

func listing(platform string, base *url.URL, p product) (models.Listing, error) {
	if p.ID <= 0 {
		return models.Listing{}, &connector.FieldError{Field: "id"}
	}
	name := strings.TrimSpace(html.UnescapeString(p.Name))
	if name == "" {
		return models.Listing{}, &connector.FieldError{Field: "name"}
	}
	l := models.Listing{Platform: platform, ExternalID: strconv.FormatInt(p.ID, 10), Title: name,
		Seller: base.Hostname(), ImageURLs: []string{}}
	if u, ok := connector.ImageURL(p.Permalink); ok {
		l.URL = u
	} else { // WordPress's short link, which redirects to the product page
		l.URL = base.String() + "/?post_type=product&p=" + l.ExternalID
	}
	short, long := listingtext.PlainText(p.ShortDescription), listingtext.PlainText(p.Description)
	switch {
	case short == "" || strings.Contains(long, short):
		l.Desc = long
	case long == "":
		l.Desc = short
	default:
		l.Desc = short + "\n\n" + long
	}
	if p.Prices != nil {
		amount := p.Prices.Price
		if amount == "" && p.Prices.PriceRange != nil {
			amount = p.Prices.PriceRange.MinAmount // a variable product
		}
		if amount != "" {
			if !minorRE.MatchString(amount) {
				return models.Listing{}, fmt.Errorf("%w: price %q is not in minor units", connector.ErrBadResponse, amount)
			}
			unit := p.Prices.CurrencyMinorUnit
			if unit < 0 || unit > 4 {
				return models.Listing{}, fmt.Errorf("%w: currency_minor_unit %d", connector.ErrBadResponse, unit)
			}
			if !currencyRE.MatchString(p.Prices.CurrencyCode) {
				return models.Listing{}, fmt.Errorf("%w: currency_code %q", connector.ErrBadResponse, p.Prices.CurrencyCode)
			}
			minor, _ := strconv.ParseInt(amount, 10, 64) // at most 15 digits
			l.Price = float64(minor) / math.Pow10(unit)
			l.Currency = p.Prices.CurrencyCode
		}
	}
	seen := make(map[string]bool)
	for _, im := range p.Images {
		if u, ok := connector.ImageURL(im.Src); ok && !seen[u] {
			seen[u] = true
			l.ImageURLs = append(l.ImageURLs, u)
		}
	}
	return l, nil
}
