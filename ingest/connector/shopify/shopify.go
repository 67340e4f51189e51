// Package shopify crawls a Shopify shop's public storefront catalogue,
// GET {base}/products.json?limit=N&page=N, which every Shopify shop serves
// without keys. The endpoint has no search and no sort guarantee, so a
// crawl reads every page (up to the page cap), keeps the products updated
// since the previous crawl and, when the source has a query, only those
// whose title, vendor, type or tags hold all of its words.
//
// products.json carries no currency: listings have Currency "".
package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/listingtext"
	"counterlens/models"
)

// maxLimit is the most products Shopify returns per page.
const maxLimit = 250

// Connector crawls Shopify shops.
type Connector struct {
	doer connector.Doer
	cfg  connector.Config
}

var _ connector.Connector = (*Connector)(nil)

// New returns a Shopify connector.
func New(doer connector.Doer, cfg connector.Config) *Connector {
	return &Connector{doer: doer, cfg: cfg}
}

// state is the incremental crawl state: the newest updated_at seen and the
// ids of the products updated at that instant.
type state struct {
	Updated time.Time `json:"updated_at"`
	IDs     []int64   `json:"ids"`
}

// Crawl returns the products of the shop at src.URL updated after state
// and matching src.Query, most recently updated first.
func (c *Connector) Crawl(ctx context.Context, src models.Source, st string) (connector.Result, error) {
	base, err := connector.BaseURL(src.URL)
	if err != nil {
		return connector.Result{}, err
	}
	var prev state
	if err := connector.ReadState("shopify", st, &prev); err != nil {
		return connector.Result{}, err
	}
	words := strings.Fields(strings.ToLower(src.Query))
	limit := min(max(c.cfg.PageSize, 1), maxLimit)

	type found struct {
		l       models.Listing
		updated time.Time
	}
	var fresh []found
	// present is every product matching the query; it is the shop's whole
	// catalogue when the last page was reached before the page cap.
	present := []string{}
	complete := false
	seen := make(map[int64]bool)
	next := state{Updated: prev.Updated, IDs: slices.Clone(prev.IDs)}
	for page := 1; page <= c.cfg.MaxPages; page++ {
		v := url.Values{"limit": {strconv.Itoa(limit)}, "page": {strconv.Itoa(page)}}
		products, err := c.page(ctx, base.String()+"/products.json?"+v.Encode())
		if err != nil {
			return connector.Result{}, err
		}
		for i, p := range products {
			l, updated, err := listing(src.Type, base, p)
			if err != nil {
				return connector.Result{}, fmt.Errorf("shopify: product %d of page %d: %w", i, page, err)
			}
			if seen[p.ID] {
				continue // the catalogue shifted under the paging
			}
			seen[p.ID] = true
			if p.matches(words) {
				present = append(present, l.ExternalID)
			}
			if updated.Before(prev.Updated) || (updated.Equal(prev.Updated) && slices.Contains(prev.IDs, p.ID)) {
				continue
			}
			switch {
			case updated.After(next.Updated):
				next = state{Updated: updated, IDs: []int64{p.ID}}
			case updated.Equal(next.Updated):
				if !slices.Contains(next.IDs, p.ID) {
					next.IDs = append(next.IDs, p.ID)
				}
			}
			if !p.matches(words) {
				continue
			}
			fresh = append(fresh, found{l, updated})
		}
		if len(products) < limit {
			complete = true
			break // the last page
		}
	}
	slices.SortStableFunc(fresh, func(a, b found) int { return b.updated.Compare(a.updated) })
	res := connector.Result{State: st}
	if complete {
		res.Present = present
	}
	for _, f := range fresh {
		res.Listings = append(res.Listings, f.l)
	}
	if !next.Updated.IsZero() {
		raw, err := json.Marshal(next)
		if err != nil {
			return connector.Result{}, err
		}
		res.State = string(raw)
	}
	return res, nil
}

func (c *Connector) page(ctx context.Context, u string) ([]product, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", connector.ErrBadSource, err)
	}
	req.Header.Set("Accept", "application/json")
	body, _, err := connector.Send(c.doer, req, c.cfg.MaxPageBytes)
	if err != nil {
		return nil, fmt.Errorf("shopify: products: %w", err)
	}
	var ans struct {
		Products *[]product `json:"products"`
	}
	if err := connector.Decode(body, &ans); err != nil {
		return nil, fmt.Errorf("shopify: products: %w", err)
	}
	if ans.Products == nil {
		return nil, fmt.Errorf("shopify: %w", &connector.FieldError{Field: "products"})
	}
	return *ans.Products, nil
}

type product struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Handle      string    `json:"handle"`
	BodyHTML    string    `json:"body_html"`
	Vendor      string    `json:"vendor"`
	ProductType string    `json:"product_type"`
	CreatedAt   string    `json:"created_at"`
	UpdatedAt   string    `json:"updated_at"`
	PublishedAt string    `json:"published_at"`
	Tags        tags      `json:"tags"`
	Variants    []variant `json:"variants"`
	Images      []struct {
		Src string `json:"src"`
	} `json:"images"`
}

type variant struct {
	ID    int64  `json:"id"`
	Price string `json:"price"`
}

// tags reads the storefront's array of tags and the Admin API's
// comma-separated string alike.
type tags []string

func (t *tags) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = nil
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*t = list
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*t = nil
	for _, tag := range strings.Split(s, ",") {
		if tag = strings.TrimSpace(tag); tag != "" {
			*t = append(*t, tag)
		}
	}
	return nil
}

// matches reports whether every word occurs in the title, vendor, type or
// tags; no words match everything.
func (p product) matches(words []string) bool {
	hay := strings.ToLower(p.Title + " " + p.Vendor + " " + p.ProductType + " " + strings.Join(p.Tags, " "))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

var decimalRE = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,4})?$`)

func listing(platform string, base *url.URL, p product) (models.Listing, time.Time, error) {
	if p.ID <= 0 {
		return models.Listing{}, time.Time{}, &connector.FieldError{Field: "id"}
	}
	if strings.TrimSpace(p.Title) == "" {
		return models.Listing{}, time.Time{}, &connector.FieldError{Field: "title"}
	}
	if p.Handle == "" || strings.ContainsAny(p.Handle, "/?#\\") || p.Handle == "." || p.Handle == ".." {
		return models.Listing{}, time.Time{}, fmt.Errorf("%w: handle %q", connector.ErrBadResponse, p.Handle)
	}
	stamp := p.UpdatedAt
	if stamp == "" {
		stamp = p.PublishedAt
	}
	if stamp == "" {
		stamp = p.CreatedAt
	}
	if stamp == "" {
		return models.Listing{}, time.Time{}, &connector.FieldError{Field: "updated_at"}
	}
	updated, err := time.Parse(time.RFC3339, stamp)
	if err != nil {
		return models.Listing{}, time.Time{}, fmt.Errorf("%w: updated_at %q", connector.ErrBadResponse, stamp)
	}
	l := models.Listing{Platform: platform, ExternalID: strconv.FormatInt(p.ID, 10),
		URL:   base.String() + "/products/" + url.PathEscape(p.Handle),
		Title: strings.TrimSpace(p.Title), Desc: listingtext.PlainText(p.BodyHTML), Seller: p.Vendor, ImageURLs: []string{}}
	// The listing's price is its cheapest variant's.
	priced := false
	for _, v := range p.Variants {
		if v.Price == "" {
			continue
		}
		if !decimalRE.MatchString(v.Price) {
			return models.Listing{}, time.Time{}, fmt.Errorf("%w: variant price %q", connector.ErrBadResponse, v.Price)
		}
		f, err := strconv.ParseFloat(v.Price, 64)
		if err != nil {
			return models.Listing{}, time.Time{}, fmt.Errorf("%w: variant price %q", connector.ErrBadResponse, v.Price)
		}
		if !priced || f < l.Price {
			l.Price, priced = f, true
		}
	}
	seen := make(map[string]bool)
	for _, im := range p.Images {
		src := im.Src
		if strings.HasPrefix(src, "//") { // Shopify's CDN URLs are at times protocol-relative
			src = "https:" + src
		}
		if u, ok := connector.ImageURL(src); ok && !seen[u] {
			seen[u] = true
			l.ImageURLs = append(l.ImageURLs, u)
		}
	}
	return l, updated.UTC(), nil
}
