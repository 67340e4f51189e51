// Package rss crawls an RSS 2.0, Atom or JSON Feed at the source's URL,
// parsed by github.com/mmcdole/gofeed. Each entry is a listing; its
// pictures are the image enclosures, Media RSS content and thumbnails,
// the entry's image, and the <img> tags of its HTML. A feed has no
// standard paging: each crawl reads the one document.
package rss

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"golang.org/x/net/html"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/listingtext"
	"counterlens/models"
)

// maxUndated caps the ids of undated entries kept in the state; a feed
// longer than that re-reports its oldest undated entries.
const maxUndated = 1000

// Connector crawls feeds.
type Connector struct {
	doer connector.Doer
	cfg  connector.Config
}

var _ connector.Connector = (*Connector)(nil)

// New returns a feed connector.
func New(doer connector.Doer, cfg connector.Config) *Connector {
	return &Connector{doer: doer, cfg: cfg}
}

// state is the incremental state: the newest entry date seen with the ids
// of the entries of that instant, and the ids of the undated entries.
type state struct {
	Newest  time.Time `json:"newest,omitzero"`
	IDs     []string  `json:"ids,omitempty"`
	Undated []string  `json:"undated,omitempty"`
}

// Crawl returns the entries of the feed at src.URL that are newer than
// state, newest first; undated entries come last, each once.
func (c *Connector) Crawl(ctx context.Context, src models.Source, st string) (connector.Result, error) {
	feedURL, err := parseFeedURL(src.URL)
	if err != nil {
		return connector.Result{}, err
	}
	var prev state
	if err := connector.ReadState("rss", st, &prev); err != nil {
		return connector.Result{}, err
	}
	feed, err := c.fetch(ctx, feedURL)
	if err != nil {
		return connector.Result{}, err
	}
	type entry struct {
		l    models.Listing
		date time.Time
	}
	var dated, undated []entry
	next := state{Newest: prev.Newest, IDs: slices.Clone(prev.IDs)}
	seen := make(map[string]bool)
	for i, it := range feed.Items {
		if it == nil {
			continue
		}
		l, date, err := listing(src.Type, feedURL, feed, it)
		if err != nil {
			return connector.Result{}, fmt.Errorf("rss: entry %d: %w", i, err)
		}
		if seen[l.ExternalID] {
			continue
		}
		seen[l.ExternalID] = true
		if date.IsZero() {
			next.Undated = append(next.Undated, l.ExternalID)
			if !slices.Contains(prev.Undated, l.ExternalID) {
				undated = append(undated, entry{l, date})
			}
			continue
		}
		if date.Before(prev.Newest) || (date.Equal(prev.Newest) && slices.Contains(prev.IDs, l.ExternalID)) {
			continue
		}
		dated = append(dated, entry{l, date})
		switch {
		case date.After(next.Newest):
			next.Newest, next.IDs = date, []string{l.ExternalID}
		case date.Equal(next.Newest):
			next.IDs = append(next.IDs, l.ExternalID)
		}
	}
	if len(next.Undated) > maxUndated {
		next.Undated = next.Undated[:maxUndated]
	}
	slices.SortStableFunc(dated, func(a, b entry) int { return b.date.Compare(a.date) })
	var res connector.Result
	for _, e := range append(dated, undated...) {
		res.Listings = append(res.Listings, e.l)
	}
	if next.Newest.IsZero() && len(next.Undated) == 0 {
		res.State = st
		return res, nil
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return connector.Result{}, err
	}
	res.State = string(raw)
	return res, nil
}

// parseFeedURL takes an absolute http(s) feed URL; unlike a base URL it
// may have a query.
func parseFeedURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("%w: %q is not an http(s) feed URL", connector.ErrBadSource, raw)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

func (c *Connector) fetch(ctx context.Context, u *url.URL) (feed *gofeed.Feed, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", connector.ErrBadSource, err)
	}
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8")
	body, _, err := connector.Send(c.doer, req, c.cfg.MaxPageBytes)
	if err != nil {
		return nil, fmt.Errorf("rss: feed: %w", err)
	}
	// The parser is a third party's; a panic on hostile input must not
	// take the worker down.
	defer func() {
		if r := recover(); r != nil {
			feed, err = nil, fmt.Errorf("rss: feed: %w: parser panic: %v", connector.ErrBadResponse, r)
		}
	}()
	feed, err = gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("rss: feed: %w: %w", connector.ErrBadResponse, err)
	}
	return feed, nil
}

func listing(platform string, feedURL *url.URL, feed *gofeed.Feed, it *gofeed.Item) (models.Listing, time.Time, error) {
	link := resolve(feedURL, it.Link)
	if link == "" {
		for _, l := range it.Links {
			if link = resolve(feedURL, l); link != "" {
				break
			}
		}
	}
	id := strings.TrimSpace(it.GUID)
	if id == "" {
		id = link
	}
	if id == "" {
		return models.Listing{}, time.Time{}, &connector.FieldError{Field: "guid"}
	}
	body := it.Content
	if strings.TrimSpace(body) == "" {
		body = it.Description
	}
	desc := listingtext.PlainText(body)
	title := strings.TrimSpace(listingtext.PlainText(it.Title))
	if title == "" {
		title, _, _ = strings.Cut(desc, "\n")
	}
	l := models.Listing{Platform: platform, ExternalID: id, URL: link, Title: title, Desc: desc,
		ImageURLs: images(feedURL, link, it)}
	switch {
	case len(it.Authors) > 0 && it.Authors[0] != nil && it.Authors[0].Name != "":
		l.Seller = it.Authors[0].Name
	case it.DublinCoreExt != nil && len(it.DublinCoreExt.Creator) > 0:
		l.Seller = it.DublinCoreExt.Creator[0]
	case len(feed.Authors) > 0 && feed.Authors[0] != nil && feed.Authors[0].Name != "":
		l.Seller = feed.Authors[0].Name
	default:
		l.Seller = feed.Title
	}
	l.Price, l.Currency = listingtext.FindPrice(title + "\n" + desc)
	var date time.Time
	if it.PublishedParsed != nil {
		date = it.PublishedParsed.UTC()
	} else if it.UpdatedParsed != nil {
		date = it.UpdatedParsed.UTC()
	}
	return l, date, nil
}

// resolve makes ref absolute against base and keeps it if it is http(s).
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	u, _ := connector.ImageURL(base.ResolveReference(r).String())
	return u
}

// images gathers an entry's pictures in document order, each once:
// enclosures, Media RSS, the entry image, then the HTML's <img> tags
// (relative ones against the entry's link).
func images(feedURL *url.URL, link string, it *gofeed.Item) []string {
	out := []string{}
	seen := make(map[string]bool)
	add := func(base *url.URL, raw string) {
		if u := resolve(base, raw); u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	for _, e := range it.Enclosures {
		if e != nil && isImage(e.Type, e.URL) {
			add(feedURL, e.URL)
		}
	}
	var media func(m map[string][]ext.Extension)
	media = func(m map[string][]ext.Extension) {
		for _, c := range m["content"] {
			if c.Attrs["medium"] == "image" || isImage(c.Attrs["type"], c.Attrs["url"]) {
				add(feedURL, c.Attrs["url"])
			}
		}
		for _, t := range m["thumbnail"] {
			add(feedURL, t.Attrs["url"])
		}
		for _, g := range m["group"] {
			media(g.Children)
		}
	}
	if m, ok := it.Extensions["media"]; ok {
		media(m)
	}
	if it.Image != nil {
		add(feedURL, it.Image.URL)
	}
	htmlBase := feedURL
	if u, err := url.Parse(link); err == nil && link != "" {
		htmlBase = u
	}
	for _, body := range []string{it.Content, it.Description} {
		for _, src := range imgSrcs(body) {
			add(htmlBase, src)
		}
	}
	return out
}

// isImage reports whether a media type, or failing one a URL's extension,
// names a picture.
func isImage(typ, raw string) bool {
	if typ != "" {
		return strings.HasPrefix(strings.ToLower(typ), "image/")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png", ".webp", ".gif":
		return true
	}
	return false
}

// imgSrcs returns the src of each <img> in an HTML fragment.
func imgSrcs(fragment string) []string {
	if !strings.Contains(fragment, "<") {
		return nil
	}
	var out []string
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "img" {
				continue
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if string(k) == "src" {
					out = append(out, string(v))
				}
			}
		}
	}
}
