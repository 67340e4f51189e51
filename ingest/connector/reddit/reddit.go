// Package reddit crawls a subreddit's newest posts through Reddit's JSON
// listings, GET {base}/r/{sub}/new.json?limit=100&raw_json=1, paged by the
// Listing's after fullname. Each link post (t3 thing) is a listing; its
// pictures come from a gallery's media_metadata, the preview images or a
// direct image link.
package reddit

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/listingtext"
	"counterlens/models"
)

// maxLimit is the most things Reddit returns per listing page.
const maxLimit = 100

// Connector crawls Reddit.
type Connector struct {
	doer connector.Doer
	cfg  connector.Config
}

var _ connector.Connector = (*Connector)(nil)

// New returns a Reddit connector.
func New(doer connector.Doer, cfg connector.Config) *Connector {
	return &Connector{doer: doer, cfg: cfg}
}

var (
	// subRE is what Reddit accepts as a subreddit name.
	subRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_]{1,20}$`)
	// fullnameRE is a link's fullname: t3_ and a base-36 id.
	fullnameRE = regexp.MustCompile(`^t3_[0-9a-z]{1,13}$`)
)

// Crawl returns the posts of subreddit src.Query newer than state (the
// fullname of the newest post of the previous crawl), newest first. The
// new state is the newest fullname seen.
func (c *Connector) Crawl(ctx context.Context, src models.Source, state string) (connector.Result, error) {
	base, err := connector.BaseURL(src.URL)
	if err != nil {
		return connector.Result{}, err
	}
	sub := strings.TrimSpace(src.Query)
	sub = strings.TrimPrefix(strings.TrimPrefix(sub, "/"), "r/")
	if !subRE.MatchString(sub) {
		return connector.Result{}, fmt.Errorf("%w: %q is not a subreddit", connector.ErrBadSource, src.Query)
	}
	if state != "" && !fullnameRE.MatchString(state) {
		return connector.Result{}, fmt.Errorf("reddit: bad state %q", state)
	}
	v := url.Values{"limit": {strconv.Itoa(min(max(c.cfg.PageSize, 1), maxLimit))}, "raw_json": {"1"}}
	endpoint := base.String() + "/r/" + sub + "/new.json"

	res := connector.Result{State: state}
	seen := make(map[string]bool)
	for page := 0; page < c.cfg.MaxPages; page++ {
		l, err := c.page(ctx, endpoint+"?"+v.Encode())
		if err != nil {
			return connector.Result{}, err
		}
		done := len(l.Children) == 0
		for i, th := range l.Children {
			if th.Kind != "t3" || th.Data == nil {
				continue // only links are offers
			}
			p := th.Data
			if !fullnameRE.MatchString(p.Name) || p.Name != "t3_"+p.ID {
				return connector.Result{}, fmt.Errorf("reddit: thing %d of page %d: %w", i, page+1, &connector.FieldError{Field: "name"})
			}
			if state != "" && !idLess(state, p.Name) {
				done = true // newest first: the rest was crawled before
				break
			}
			if seen[p.Name] {
				continue // paging shifted under us
			}
			seen[p.Name] = true
			if idLess(res.State, p.Name) {
				res.State = p.Name
			}
			item, err := listing(src.Type, base, *p)
			if err != nil {
				return connector.Result{}, fmt.Errorf("reddit: %s: %w", p.Name, err)
			}
			res.Listings = append(res.Listings, item)
		}
		if done || l.After == "" {
			break
		}
		if !fullnameRE.MatchString(l.After) {
			return connector.Result{}, fmt.Errorf("%w: after %q", connector.ErrBadResponse, l.After)
		}
		v.Set("after", l.After)
	}
	return res, nil
}

type listingData struct {
	After    string  `json:"after"`
	Children []thing `json:"children"`
}

type thing struct {
	Kind string `json:"kind"`
	Data *post  `json:"data"`
}

func (c *Connector) page(ctx context.Context, u string) (listingData, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return listingData{}, fmt.Errorf("%w: %w", connector.ErrBadSource, err)
	}
	req.Header.Set("Accept", "application/json")
	body, _, err := connector.Send(c.doer, req, c.cfg.MaxPageBytes)
	if err != nil {
		return listingData{}, fmt.Errorf("reddit: new: %w", err)
	}
	var ans struct {
		Kind string       `json:"kind"`
		Data *listingData `json:"data"`
	}
	if err := connector.Decode(body, &ans); err != nil {
		return listingData{}, fmt.Errorf("reddit: new: %w", err)
	}
	if ans.Kind != "Listing" || ans.Data == nil {
		return listingData{}, fmt.Errorf("reddit: new: %w", &connector.FieldError{Field: "Listing"})
	}
	return *ans.Data, nil
}

type imageSource struct {
	URL string `json:"url"`
}

type mediaItem struct {
	Status string `json:"status"`
	E      string `json:"e"`
	S      *struct {
		U   string `json:"u"`
		GIF string `json:"gif"`
	} `json:"s"`
}

type post struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Title       string  `json:"title"`
	Selftext    string  `json:"selftext"`
	Author      string  `json:"author"`
	Permalink   string  `json:"permalink"`
	URL         string  `json:"url"`
	CreatedUTC  float64 `json:"created_utc"`
	PostHint    string  `json:"post_hint"`
	IsGallery   bool    `json:"is_gallery"`
	GalleryData *struct {
		Items []struct {
			MediaID string `json:"media_id"`
		} `json:"items"`
	} `json:"gallery_data"`
	MediaMetadata map[string]mediaItem `json:"media_metadata"`
	Preview       *struct {
		Images []struct {
			Source imageSource `json:"source"`
		} `json:"images"`
	} `json:"preview"`
}

// permalinkRE is the site-relative path of a post.
var permalinkRE = regexp.MustCompile(`^/r/[A-Za-z0-9_]{2,21}/comments/[0-9a-z]{1,13}/[^?#]*$`)

func listing(platform string, base *url.URL, p post) (models.Listing, error) {
	title := strings.TrimSpace(p.Title)
	if title == "" {
		return models.Listing{}, &connector.FieldError{Field: "title"}
	}
	if p.Author == "" {
		return models.Listing{}, &connector.FieldError{Field: "author"}
	}
	if !permalinkRE.MatchString(p.Permalink) || strings.Contains(p.Permalink, "..") {
		return models.Listing{}, fmt.Errorf("%w: permalink %q", connector.ErrBadResponse, p.Permalink)
	}
	desc := strings.TrimSpace(p.Selftext)
	l := models.Listing{Platform: platform, ExternalID: p.Name, URL: base.String() + p.Permalink,
		Title: title, Desc: desc, Seller: p.Author, ImageURLs: images(p)}
	if l.Seller == "[deleted]" { // the account is gone; the name is not a seller
		l.Seller = ""
	}
	l.Price, l.Currency = listingtext.FindPrice(title + "\n" + desc)
	return l, nil
}

// images returns a post's pictures: a gallery's in its order, else the
// preview's sources, else the link itself when it is an image. Reddit
// HTML-escapes these URLs unless raw_json=1 is honoured; both are read.
func images(p post) []string {
	out := []string{}
	seen := make(map[string]bool)
	add := func(raw string) {
		if u, ok := connector.ImageURL(html.UnescapeString(raw)); ok && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	if p.IsGallery && p.GalleryData != nil {
		for _, it := range p.GalleryData.Items {
			m, ok := p.MediaMetadata[it.MediaID]
			if !ok || m.Status != "valid" || (m.E != "Image" && m.E != "AnimatedImage") || m.S == nil {
				continue
			}
			if m.S.U != "" {
				add(m.S.U)
			} else {
				add(m.S.GIF)
			}
		}
		return out
	}
	if p.Preview != nil {
		for _, im := range p.Preview.Images {
			add(im.Source.URL)
		}
	}
	if len(out) == 0 && (p.PostHint == "image" || imageExt(p.URL)) {
		add(p.URL)
	}
	return out
}

func imageExt(raw string) bool {
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

// idLess compares fullnames: base-36 ids sort by length, then bytes. ""
// is least.
func idLess(a, b string) bool {
	a, b = strings.TrimPrefix(a, "t3_"), strings.TrimPrefix(b, "t3_")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
