// Package demo is the demo a new user sees with `make run`: a small
// marketplace that serves the listings of testdata/demo in the public
// formats of eBay's Browse API and Mastodon, and a client that seeds a
// counterlens API with the demo brands and sources through its public
// HTTP API.
package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Brand is one demo brand of brands.json.
type Brand struct {
	Slug              string   `json:"slug"`
	Name              string   `json:"name"`
	Aliases           []string `json:"aliases"`
	MinPrice          *Money   `json:"min_price,omitempty"`
	AuthorizedSellers []string `json:"authorized_sellers"`
	// Logo is the reference logo's path, relative to the data folder.
	Logo string `json:"logo"`
}

// Money is an amount in a currency.
type Money struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
}

// Listing is one demo offer of listings.json.
type Listing struct {
	Platform   string   `json:"platform"` // ebay or mastodon
	ExternalID string   `json:"external_id"`
	Title      string   `json:"title"`
	Desc       string   `json:"description"`
	Price      float64  `json:"price"`
	Currency   string   `json:"currency"`
	Seller     string   `json:"seller"`
	Images     []string `json:"images"` // file names under media/
	Tags       []string `json:"tags"`
	PostedAt   string   `json:"posted_at"`
	// Expect is "suspicious" or "clean": what the end-to-end test expects.
	Expect string   `json:"expect"`
	Brands []string `json:"brands"` // slugs of the brands in the pictures
	Shows  string   `json:"shows"`

	posted time.Time
}

// Data is the content of a demo data folder.
type Data struct {
	Dir      string
	Brands   []Brand
	Listings []Listing
}

// SearchTerm is the eBay search term and Mastodon hashtag under which every
// demo listing is found.
const SearchTerm = "deals"

// Load reads brands.json and listings.json of dir and checks that every
// image they name exists.
func Load(dir string) (Data, error) {
	d := Data{Dir: dir}
	if err := readJSON(filepath.Join(dir, "brands.json"), &d.Brands); err != nil {
		return Data{}, err
	}
	if err := readJSON(filepath.Join(dir, "listings.json"), &d.Listings); err != nil {
		return Data{}, err
	}
	for _, b := range d.Brands {
		if b.Name == "" || b.Logo == "" {
			return Data{}, fmt.Errorf("demo: brand %q without name or logo", b.Slug)
		}
		if err := checkFile(dir, b.Logo); err != nil {
			return Data{}, err
		}
	}
	seen := make(map[string]bool)
	for i := range d.Listings {
		l := &d.Listings[i]
		if l.Platform != "ebay" && l.Platform != "mastodon" {
			return Data{}, fmt.Errorf("demo: listing %s: unknown platform %q", l.ExternalID, l.Platform)
		}
		if l.ExternalID == "" || seen[l.Platform+l.ExternalID] {
			return Data{}, fmt.Errorf("demo: listing %q: empty or repeated id", l.ExternalID)
		}
		seen[l.Platform+l.ExternalID] = true
		t, err := time.Parse(time.RFC3339, l.PostedAt)
		if err != nil {
			return Data{}, fmt.Errorf("demo: listing %s: %w", l.ExternalID, err)
		}
		l.posted = t.UTC()
		if len(l.Images) == 0 {
			return Data{}, fmt.Errorf("demo: listing %s has no image", l.ExternalID)
		}
		for _, img := range l.Images {
			if img != filepath.Base(img) {
				return Data{}, fmt.Errorf("demo: listing %s: bad image name %q", l.ExternalID, img)
			}
			if err := checkFile(dir, filepath.Join("media", img)); err != nil {
				return Data{}, err
			}
		}
	}
	return d, nil
}

// platform returns the listings of one platform, newest first.
func (d Data) platform(name string) []Listing {
	var out []Listing
	for _, l := range d.Listings {
		if l.Platform == name {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, func(a, b Listing) int { return b.posted.Compare(a.posted) })
	return out
}

// matches reports whether every word of q occurs in the listing's title,
// description or tags.
func (l Listing) matches(q string) bool {
	hay := strings.ToLower(l.Title + " " + l.Desc + " " + strings.Join(l.Tags, " "))
	words := strings.Fields(strings.ToLower(q))
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

func (l Listing) hasTag(tag string) bool {
	return slices.ContainsFunc(l.Tags, func(t string) bool { return strings.EqualFold(t, tag) })
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("demo: %s: %w", path, err)
	}
	return nil
}

func checkFile(dir, rel string) error {
	st, err := os.Stat(filepath.Join(dir, rel))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if !st.Mode().IsRegular() {
		return errors.New("demo: " + rel + " is not a file")
	}
	return nil
}
