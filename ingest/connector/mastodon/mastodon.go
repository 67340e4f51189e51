// Package mastodon crawls a Mastodon server's public hashtag timeline
// (GET /api/v1/timelines/tag/{hashtag}), newest statuses first, paged by
// the Link header's rel="next" (max_id). Each status with its pictures is
// a listing; its HTML content becomes plain text.
package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/listingtext"
	"counterlens/models"
)

// maxLimit is the most statuses Mastodon returns per page.
const maxLimit = 40

// Connector crawls Mastodon.
type Connector struct {
	doer connector.Doer
	cfg  connector.Config
}

var _ connector.Connector = (*Connector)(nil)

// New returns a Mastodon connector.
func New(doer connector.Doer, cfg connector.Config) *Connector {
	return &Connector{doer: doer, cfg: cfg}
}

// tagRE is what Mastodon accepts as a hashtag name.
var tagRE = regexp.MustCompile(`^[\p{L}\p{N}_\x{00b7}\x{200c}]{1,100}$`)

// Crawl returns the statuses of hashtag src.Query newer than state (the
// newest status id of the previous crawl), newest first. The new state is
// the newest id seen.
func (c *Connector) Crawl(ctx context.Context, src models.Source, state string) (connector.Result, error) {
	base, err := connector.BaseURL(src.URL)
	if err != nil {
		return connector.Result{}, err
	}
	tag := strings.TrimPrefix(strings.TrimSpace(src.Query), "#")
	if !tagRE.MatchString(tag) {
		return connector.Result{}, fmt.Errorf("%w: %q is not a hashtag", connector.ErrBadSource, src.Query)
	}
	if state != "" && !validID(state) {
		return connector.Result{}, fmt.Errorf("mastodon: bad state %q", state)
	}
	v := url.Values{"limit": {strconv.Itoa(min(max(c.cfg.PageSize, 1), maxLimit))}}
	if state != "" {
		v.Set("since_id", state)
	}
	next := base.String() + "/api/v1/timelines/tag/" + url.PathEscape(tag) + "?" + v.Encode()

	res := connector.Result{State: state}
	seen := make(map[string]bool)
	for page := 0; next != "" && page < c.cfg.MaxPages; page++ {
		statuses, link, err := c.page(ctx, next)
		if err != nil {
			return connector.Result{}, err
		}
		done := len(statuses) == 0
		for i, s := range statuses {
			if !validID(s.ID) {
				return connector.Result{}, fmt.Errorf("mastodon: status %d of page %d: %w", i, page+1, &connector.FieldError{Field: "id"})
			}
			if state != "" && !idLess(state, s.ID) {
				done = true // newest first: the rest was crawled before
				break
			}
			if idLess(res.State, s.ID) {
				res.State = s.ID
			}
			l, err := listing(src.Type, s)
			if err != nil {
				return connector.Result{}, fmt.Errorf("mastodon: status %s: %w", s.ID, err)
			}
			if seen[l.ExternalID] {
				continue // a boost of a status already taken
			}
			seen[l.ExternalID] = true
			res.Listings = append(res.Listings, l)
		}
		if done {
			break
		}
		next = ""
		if link != "" {
			u, ok := connector.SameOrigin(base, link)
			if !ok {
				return connector.Result{}, fmt.Errorf("%w: next page %q is not on %s", connector.ErrBadResponse, link, base.Host)
			}
			next = u.String()
		}
	}
	return res, nil
}

func (c *Connector) page(ctx context.Context, u string) ([]status, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", connector.ErrBadSource, err)
	}
	req.Header.Set("Accept", "application/json")
	body, hdr, err := connector.Send(c.doer, req, c.cfg.MaxPageBytes)
	if err != nil {
		return nil, "", fmt.Errorf("mastodon: timeline: %w", err)
	}
	var ss []status
	if err := connector.Decode(body, &ss); err != nil {
		return nil, "", fmt.Errorf("mastodon: timeline: %w", err)
	}
	return ss, nextLink(hdr.Values("Link")), nil
}

// linkRE matches one link-value of an RFC 8288 Link header.
var linkRE = regexp.MustCompile(`<([^>]*)>\s*((?:;\s*[a-zA-Z*]+\s*=\s*(?:"[^"]*"|[^,;]*)\s*)*)`)

var relRE = regexp.MustCompile(`;\s*rel\s*=\s*(?:"([^"]*)"|([^,;\s]*))`)

// nextLink returns the target of rel="next" in Link headers.
func nextLink(values []string) string {
	for _, v := range values {
		for _, m := range linkRE.FindAllStringSubmatch(v, -1) {
			for _, r := range relRE.FindAllStringSubmatch(m[2], -1) {
				for _, rel := range strings.Fields(r[1] + r[2]) {
					if strings.EqualFold(rel, "next") {
						return m[1]
					}
				}
			}
		}
	}
	return ""
}

type account struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Acct     string `json:"acct"`
	URL      string `json:"url"`
}

type attachment struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	URL         string `json:"url"`
	PreviewURL  string `json:"preview_url"`
	RemoteURL   string `json:"remote_url"`
	Description string `json:"description"`
}

type status struct {
	ID               string       `json:"id"`
	CreatedAt        string       `json:"created_at"`
	URL              string       `json:"url"`
	URI              string       `json:"uri"`
	Content          string       `json:"content"`
	SpoilerText      string       `json:"spoiler_text"`
	Account          *account     `json:"account"`
	MediaAttachments []attachment `json:"media_attachments"`
	Reblog           *status      `json:"reblog"`
}

func listing(platform string, s status) (models.Listing, error) {
	if s.Reblog != nil { // a boost: the offer is the boosted status
		if s.Reblog.Reblog != nil || !validID(s.Reblog.ID) {
			return models.Listing{}, &connector.FieldError{Field: "reblog.id"}
		}
		return listing(platform, *s.Reblog)
	}
	if s.Account == nil || (s.Account.Acct == "" && s.Account.Username == "") {
		return models.Listing{}, &connector.FieldError{Field: "account.acct"}
	}
	text := listingtext.PlainText(s.Content)
	if s.SpoilerText != "" {
		text = strings.TrimSpace(s.SpoilerText + "\n\n" + text)
	}
	l := models.Listing{Platform: platform, ExternalID: s.ID, Title: title(text), Desc: text,
		Seller: s.Account.Acct, ImageURLs: []string{}}
	if l.Seller == "" {
		l.Seller = s.Account.Username
	}
	if u, ok := connector.ImageURL(s.URL); ok {
		l.URL = u
	} else if u, ok := connector.ImageURL(s.URI); ok {
		l.URL = u
	}
	for _, a := range s.MediaAttachments {
		if a.Type != "image" {
			continue
		}
		u, ok := connector.ImageURL(a.URL)
		if !ok {
			u, ok = connector.ImageURL(a.RemoteURL)
		}
		if ok {
			l.ImageURLs = append(l.ImageURLs, u)
		}
	}
	l.Price, l.Currency = listingtext.FindPrice(text)
	return l, nil
}

// title is the first line of text, cut to 120 characters.
func title(text string) string {
	line, _, _ := strings.Cut(text, "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) <= 120 {
		return line
	}
	r := []rune(line)
	return strings.TrimSpace(string(r[:119])) + "…"
}

// idLess compares status ids: Mastodon's are decimal strings, some
// compatible servers use fixed-length base62; both sort by length, then
// bytes. "" is least.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func validID(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
