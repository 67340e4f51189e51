// Package ebay crawls eBay's Browse API: an application token from the
// OAuth client-credentials grant, then item_summary/search for the
// source's query, newest listings first, paged by offset and next.
package ebay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"counterlens/ingest/connector"
	"counterlens/models"
)

// Browse API limits.
const (
	maxLimit  = 200
	maxOffset = 9999
	scope     = "https://api.ebay.com/oauth/api_scope"
)

// Connector crawls eBay.
type Connector struct {
	doer connector.Doer
	cfg  connector.Config
	now  func() time.Time

	mu     sync.Mutex
	tokens map[string]token // base URL -> application token
}

type token struct {
	value  string
	expiry time.Time
}

var _ connector.Connector = (*Connector)(nil)

// New returns an eBay connector.
func New(doer connector.Doer, cfg connector.Config) *Connector {
	return &Connector{doer: doer, cfg: cfg, now: time.Now, tokens: make(map[string]token)}
}

// state is the incremental crawl state: the newest listing date seen and
// the ids listed at that instant.
type state struct {
	Newest time.Time `json:"newest"`
	IDs    []string  `json:"ids"`
}

// Crawl returns the listings matching src.Query that were listed after
// state, newest first.
func (c *Connector) Crawl(ctx context.Context, src models.Source, st string) (connector.Result, error) {
	base, err := connector.BaseURL(src.URL)
	if err != nil {
		return connector.Result{}, err
	}
	q := strings.TrimSpace(src.Query)
	if q == "" {
		return connector.Result{}, fmt.Errorf("%w: eBay needs a search query", connector.ErrBadSource)
	}
	if c.cfg.EbayClientID == "" || c.cfg.EbayClientSecret == "" {
		return connector.Result{}, fmt.Errorf("%w: eBay client id and secret", connector.ErrNoCredentials)
	}
	var prev state
	if err := connector.ReadState("ebay", st, &prev); err != nil {
		return connector.Result{}, err
	}
	seen := make(map[string]bool, len(prev.IDs))
	for _, id := range prev.IDs {
		seen[id] = true
	}

	limit := min(max(c.cfg.PageSize, 1), maxLimit)
	v := url.Values{"q": {q}, "limit": {strconv.Itoa(limit)}, "offset": {"0"}, "sort": {"newlyListed"}}
	next := base.String() + "/buy/browse/v1/item_summary/search?" + v.Encode()

	var res connector.Result
	newState := state{Newest: prev.Newest, IDs: prev.IDs}
	fresh := make(map[string]bool)
	for pageNo := 0; next != "" && pageNo < c.cfg.MaxPages; pageNo++ {
		page, err := c.page(ctx, base, next)
		if err != nil {
			return connector.Result{}, err
		}
		done := false
		for i, it := range page.ItemSummaries {
			l, created, err := listing(src.Type, it)
			if err != nil {
				return connector.Result{}, fmt.Errorf("ebay: item %d of page %d: %w", i, pageNo+1, err)
			}
			if !created.IsZero() && !prev.Newest.IsZero() {
				if created.Before(prev.Newest) {
					done = true // newest first: the rest is older
					break
				}
				if created.Equal(prev.Newest) && seen[l.ExternalID] {
					continue
				}
			}
			if fresh[l.ExternalID] {
				continue // paging shifted under us
			}
			fresh[l.ExternalID] = true
			res.Listings = append(res.Listings, l)
			switch {
			case created.After(newState.Newest):
				newState = state{Newest: created, IDs: []string{l.ExternalID}}
			case created.Equal(newState.Newest) && !created.IsZero():
				newState.IDs = append(newState.IDs, l.ExternalID)
			}
		}
		if done || page.Next == "" || len(page.ItemSummaries) == 0 {
			break
		}
		u, ok := connector.SameOrigin(base, page.Next)
		if !ok {
			return connector.Result{}, fmt.Errorf("%w: next page %q is not on %s", connector.ErrBadResponse, page.Next, base.Host)
		}
		if off, _ := strconv.Atoi(u.Query().Get("offset")); off > maxOffset {
			break // the Browse API serves no more than 10,000 results
		}
		next = u.String()
	}
	if !newState.Newest.IsZero() {
		raw, err := json.Marshal(newState)
		if err != nil {
			return connector.Result{}, err
		}
		res.State = string(raw)
	} else {
		res.State = st
	}
	return res, nil
}

// page fetches one search page, renewing the token once if it was refused.
func (c *Connector) page(ctx context.Context, base *url.URL, u string) (searchPage, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.token(ctx, base)
		if err != nil {
			return searchPage{}, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return searchPage{}, fmt.Errorf("%w: %w", connector.ErrBadResponse, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "application/json")
		if c.cfg.EbayMarketplace != "" {
			req.Header.Set("X-EBAY-C-MARKETPLACE-ID", c.cfg.EbayMarketplace)
		}
		body, _, err := connector.Send(c.doer, req, c.cfg.MaxPageBytes)
		var se *connector.StatusError
		if errors.As(err, &se) && se.Status == http.StatusUnauthorized && attempt == 0 {
			c.forget(base)
			continue
		}
		if err != nil {
			return searchPage{}, fmt.Errorf("ebay: search: %w", err)
		}
		var p searchPage
		if err := connector.Decode(body, &p); err != nil {
			return searchPage{}, fmt.Errorf("ebay: search: %w", err)
		}
		return p, nil
	}
}

// token returns a cached application token for base or mints one.
func (c *Connector) token(ctx context.Context, base *url.URL) (string, error) {
	key := base.String()
	c.mu.Lock()
	t, ok := c.tokens[key]
	c.mu.Unlock()
	if ok && c.now().Before(t.expiry) {
		return t.value, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, key+"/identity/v1/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("%w: %w", connector.ErrBadSource, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(c.cfg.EbayClientID, c.cfg.EbayClientSecret)
	body, _, err := connector.Send(c.doer, req, 64<<10)
	var se *connector.StatusError
	if errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusBadRequest || se.Status == http.StatusForbidden) {
		return "", fmt.Errorf("ebay: token: %w: %w", connector.ErrAuth, err)
	}
	if err != nil {
		return "", fmt.Errorf("ebay: token: %w", err)
	}
	var ans struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	if err := connector.Decode(body, &ans); err != nil {
		return "", fmt.Errorf("ebay: token: %w", err)
	}
	if ans.AccessToken == "" {
		return "", fmt.Errorf("ebay: token: %w", &connector.FieldError{Field: "access_token"})
	}
	ttl := time.Duration(ans.ExpiresIn) * time.Second
	if ttl <= 0 || ttl > 24*time.Hour {
		ttl = 5 * time.Minute
	}
	// Renew a minute early so that a long crawl does not run into expiry.
	t = token{value: ans.AccessToken, expiry: c.now().Add(ttl - min(time.Minute, ttl/2))}
	c.mu.Lock()
	c.tokens[key] = t
	c.mu.Unlock()
	return t.value, nil
}

func (c *Connector) forget(base *url.URL) {
	c.mu.Lock()
	delete(c.tokens, base.String())
	c.mu.Unlock()
}

type searchPage struct {
	Href          string        `json:"href"`
	Total         int           `json:"total"`
	Next          string        `json:"next"`
	Limit         int           `json:"limit"`
	Offset        int           `json:"offset"`
	ItemSummaries []itemSummary `json:"itemSummaries"`
}

type image struct {
	ImageURL string `json:"imageUrl"`
}

type itemSummary struct {
	ItemID           string  `json:"itemId"`
	Title            string  `json:"title"`
	ShortDescription string  `json:"shortDescription"`
	Price            *amount `json:"price"`
	CurrentBidPrice  *amount `json:"currentBidPrice"`
	Image            *image  `json:"image"`
	AdditionalImages []image `json:"additionalImages"`
	ThumbnailImages  []image `json:"thumbnailImages"`
	ItemWebURL       string  `json:"itemWebUrl"`
	ItemHref         string  `json:"itemHref"`
	Seller           *struct {
		Username string `json:"username"`
	} `json:"seller"`
	ItemCreationDate string `json:"itemCreationDate"`
}

type amount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

var (
	decimalRE  = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,4})?$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// parsePrice parses the Browse API's decimal string amount.
func parsePrice(a *amount) (float64, string, error) {
	if a == nil || (a.Value == "" && a.Currency == "") {
		return 0, "", nil
	}
	if !decimalRE.MatchString(a.Value) {
		return 0, "", fmt.Errorf("%w: price %q is not a decimal amount", connector.ErrBadResponse, a.Value)
	}
	cur := strings.ToUpper(a.Currency)
	if !currencyRE.MatchString(cur) {
		return 0, "", fmt.Errorf("%w: currency %q", connector.ErrBadResponse, a.Currency)
	}
	v, err := strconv.ParseFloat(a.Value, 64)
	if err != nil {
		return 0, "", fmt.Errorf("%w: price %q", connector.ErrBadResponse, a.Value)
	}
	return v, cur, nil
}

func listing(platform string, it itemSummary) (models.Listing, time.Time, error) {
	if strings.TrimSpace(it.ItemID) == "" {
		return models.Listing{}, time.Time{}, &connector.FieldError{Field: "itemId"}
	}
	if strings.TrimSpace(it.Title) == "" {
		return models.Listing{}, time.Time{}, &connector.FieldError{Field: "title"}
	}
	price := it.Price
	if price == nil {
		price = it.CurrentBidPrice // auctions
	}
	v, cur, err := parsePrice(price)
	if err != nil {
		return models.Listing{}, time.Time{}, err
	}
	l := models.Listing{Platform: platform, ExternalID: it.ItemID, Title: it.Title, Desc: it.ShortDescription,
		Price: v, Currency: cur, ImageURLs: []string{}}
	if u, ok := connector.ImageURL(it.ItemWebURL); ok {
		l.URL = u
	} else if u, ok := connector.ImageURL(it.ItemHref); ok {
		l.URL = u
	}
	if it.Seller != nil {
		l.Seller = it.Seller.Username
	}
	seen := map[string]bool{}
	imgs := []image{}
	if it.Image != nil {
		imgs = append(imgs, *it.Image)
	}
	imgs = append(imgs, it.AdditionalImages...)
	if len(imgs) == 0 {
		imgs = it.ThumbnailImages
	}
	for _, im := range imgs {
		if u, ok := connector.ImageURL(im.ImageURL); ok && !seen[u] {
			seen[u] = true
			l.ImageURLs = append(l.ImageURLs, u)
		}
	}
	var created time.Time
	if it.ItemCreationDate != "" {
		t, err := time.Parse(time.RFC3339Nano, it.ItemCreationDate)
		if err != nil {
			return models.Listing{}, time.Time{}, fmt.Errorf("%w: itemCreationDate %q", connector.ErrBadResponse, it.ItemCreationDate)
		}
		created = t.UTC()
	}
	return l, created, nil
}
