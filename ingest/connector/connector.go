// Package connector holds what every platform connector shares: the
// [Connector] interface, its [Config], its errors, and the careful reading
// of platform responses. The connectors themselves live in sub-packages
// (ebay, mastodon); package registry picks one by source type.
package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"counterlens/models"
)

// Doer is the HTTP client a connector uses: the polite fetcher in
// production, an *http.Client in tests. A non-2xx status is not an error
// of Do.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Result is what one crawl found.
type Result struct {
	// Listings have Platform (the source's type), ExternalID, URL, Title,
	// Desc, Price, Currency, Seller and ImageURLs set, newest first.
	Listings []models.Listing
	// State is the opaque incremental state to pass to the next Crawl; ""
	// if none.
	State string
	// Present, when not nil, holds the external ids of every item the
	// source holds now: the connector read a full snapshot, not cut short
	// by the page cap, so a listing of the source missing from it was
	// removed. Incremental connectors, which see only what is new, leave it
	// nil; their listings are re-checked at their URL instead.
	Present []string
}

// Connector crawls one kind of platform.
type Connector interface {
	// Crawl returns the listings of src newer than state (all on the first
	// crawl), following pagination up to a page cap.
	Crawl(ctx context.Context, src models.Source, state string) (Result, error)
}

// Config configures the connectors.
type Config struct {
	// MaxPages caps the pages one crawl reads.
	MaxPages int
	// PageSize is the number of items asked for per page; each platform
	// clamps it to its own maximum.
	PageSize int
	// MaxPageBytes caps the size of one response body.
	MaxPageBytes int64
	// EbayClientID and EbayClientSecret are the eBay application keys for
	// the client-credentials grant; the token endpoint lives at the
	// source's URL.
	EbayClientID, EbayClientSecret string
	// EbayMarketplace is sent as X-EBAY-C-MARKETPLACE-ID.
	EbayMarketplace string
	// LocalRoot is the absolute folder under which sources read from
	// local files (telegram exports, folder drops) may live; "" disables
	// those sources.
	LocalRoot string
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{MaxPages: 10, PageSize: 50, MaxPageBytes: 8 << 20, EbayMarketplace: "EBAY_DE"}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.MaxPages < 1 || c.PageSize < 1 || c.MaxPageBytes < 1024 {
		return errors.New("connector: max pages and page size must be positive, max page bytes at least 1 KiB")
	}
	if (c.EbayClientID == "") != (c.EbayClientSecret == "") {
		return errors.New("connector: set both the eBay client id and secret, or neither")
	}
	if c.LocalRoot != "" && !filepath.IsAbs(c.LocalRoot) {
		return errors.New("connector: the local root must be an absolute path")
	}
	return nil
}

var (
	// ErrUnknownType means no connector handles the source type.
	ErrUnknownType = errors.New("connector: unknown source type")
	// ErrBadSource means the source's URL or query cannot be crawled.
	ErrBadSource = errors.New("connector: bad source")
	// ErrBadResponse means the platform answered something that is not
	// its documented format: bad JSON, a missing field, a foreign link.
	ErrBadResponse = errors.New("connector: bad response")
	// ErrTooLarge means a response body went over [Config.MaxPageBytes].
	ErrTooLarge = errors.New("connector: response too large")
	// ErrNoCredentials means the platform needs keys that are not
	// configured.
	ErrNoCredentials = errors.New("connector: credentials not configured")
	// ErrAuth means the platform refused the credentials.
	ErrAuth = errors.New("connector: authentication refused")
)

// StatusError is a non-2xx answer of the platform.
type StatusError struct {
	URL    string
	Status int
	// Body is the start of the answer, for the log.
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("connector: %s answered %d: %s", e.URL, e.Status, e.Body)
}

// FieldError is a required field missing from an answer; it wraps
// [ErrBadResponse].
type FieldError struct {
	Field string
}

func (e *FieldError) Error() string { return "connector: bad response: missing " + e.Field }

// Unwrap makes errors.Is(err, ErrBadResponse) hold.
func (e *FieldError) Unwrap() error { return ErrBadResponse }

// BaseURL parses a source URL as a platform base URL: http or https, a
// host, no query; the path is kept without its trailing slash.
func BaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: url: %w", ErrBadSource, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("%w: url %q is not an http(s) base URL", ErrBadSource, raw)
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// SameOrigin reports whether link is an absolute URL on base's scheme and
// host: connectors follow pagination links only there.
func SameOrigin(base *url.URL, link string) (*url.URL, bool) {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != base.Scheme || !strings.EqualFold(u.Host, base.Host) {
		return nil, false
	}
	return u, true
}

// Send runs req and returns the body of a 2xx answer, read up to limit
// bytes; a non-2xx answer is a [*StatusError].
func Send(doer Doer, req *http.Request, limit int64) ([]byte, http.Header, error) {
	resp, err := doer.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("connector: read %s: %w", req.URL.Redacted(), err)
	}
	if int64(len(body)) > limit {
		return nil, nil, fmt.Errorf("%w: %s over %d bytes", ErrTooLarge, req.URL.Redacted(), limit)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet := string(body[:min(len(body), 300)])
		return nil, resp.Header, &StatusError{URL: req.URL.Redacted(), Status: resp.StatusCode, Body: snippet}
	}
	return body, resp.Header, nil
}

// Decode unmarshals a JSON body; a syntax or type error wraps
// [ErrBadResponse].
func Decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %w", ErrBadResponse, err)
	}
	return nil
}

// ReadState unmarshals a connector's JSON crawl state into v; an empty
// state (the first crawl) leaves v as it is. name prefixes the error.
func ReadState(name, state string, v any) error {
	if state == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(state), v); err != nil {
		return fmt.Errorf("%s: bad state %q: %w", name, state, err)
	}
	return nil
}

// ImageURL keeps an absolute http(s) image URL and drops anything else.
func ImageURL(raw string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}
