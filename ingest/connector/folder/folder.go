// Package folder reads a local folder drop: listings an analyst or a
// scraper outside counterlens wrote as JSON files, with their pictures
// beside them. The source's URL is the folder as file:///path, and it must
// lie under [connector.Config.LocalRoot]; with no local root the connector
// refuses every source.
//
// Each *.json file directly in the folder holds one listing or an array
// of them:
//
//	{"id": "A-17", "url": "https://shop.example/p/17", "title": "Speedy 30",
//	 "description": "…", "price": 89.5, "currency": "EUR", "seller": "bagqueen",
//	 "images": ["speedy-front.jpg", "https://cdn.shop.example/17.jpg"]}
//
// title is required. id defaults to "{file}#{index}". images are http(s)
// URLs or paths relative to the folder; local pictures become file://
// URLs of their real paths, and the pipeline needs a reader for file://
// image URLs (restricted to the local root) to analyse them. Other files,
// dot files and sub-folders are ignored.
//
// The incremental state maps each file to the SHA-256 of its content: a
// crawl returns the listings of the new and changed files, most recently
// modified first.
package folder

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/localfs"
	"counterlens/models"
)

// maxFiles caps the files one crawl reads; the rest wait for the next.
const maxFiles = 1000

// Connector reads folder drops.
type Connector struct {
	cfg connector.Config
}

var _ connector.Connector = (*Connector)(nil)

// New returns a folder connector. It reads local files only, so it takes
// no Doer.
func New(cfg connector.Config) *Connector {
	return &Connector{cfg: cfg}
}

// Crawl returns the listings of the new and changed files of the folder
// at src.URL.
func (c *Connector) Crawl(ctx context.Context, src models.Source, st string) (connector.Result, error) {
	dir, err := localfs.Dir(c.cfg.LocalRoot, src.URL)
	if err != nil {
		return connector.Result{}, err
	}
	prev := map[string]string{}
	if err := connector.ReadState("folder", st, &prev); err != nil {
		return connector.Result{}, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return connector.Result{}, fmt.Errorf("folder: %w", err)
	}
	type file struct {
		name string
		mod  time.Time
		ls   []models.Listing
	}
	var changed []file
	next := make(map[string]string)
	read := 0
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.EqualFold(filepath.Ext(name), ".json") {
			continue
		}
		if read == maxFiles {
			break
		}
		if err := ctx.Err(); err != nil {
			return connector.Result{}, err
		}
		p, ok := localfs.File(dir, name)
		if !ok {
			continue // a folder, a link out of the drop, a device
		}
		raw, err := localfs.ReadFile(p, c.cfg.MaxPageBytes)
		if err != nil {
			return connector.Result{}, fmt.Errorf("folder: %s: %w", name, err)
		}
		read++
		sum := sha256.Sum256(raw)
		hash := hex.EncodeToString(sum[:])
		next[name] = hash
		if prev[name] == hash {
			continue
		}
		ls, err := listings(src.Type, dir, name, raw)
		if err != nil {
			return connector.Result{}, fmt.Errorf("folder: %s: %w", name, err)
		}
		var mod time.Time
		if fi, err := os.Stat(p); err == nil {
			mod = fi.ModTime()
		}
		changed = append(changed, file{name, mod, ls})
	}
	slices.SortStableFunc(changed, func(a, b file) int {
		if c := b.mod.Compare(a.mod); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	var res connector.Result
	for _, f := range changed {
		res.Listings = append(res.Listings, f.ls...)
	}
	out, err := json.Marshal(next)
	if err != nil {
		return connector.Result{}, err
	}
	res.State = string(out)
	return res, nil
}

type item struct {
	ID          *json.RawMessage `json:"id"`
	URL         string           `json:"url"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	Price       *float64         `json:"price"`
	Currency    string           `json:"currency"`
	Seller      string           `json:"seller"`
	Images      []string         `json:"images"`
}

var (
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	idRE       = regexp.MustCompile(`^[\p{L}\p{N}._:/#@-]{1,200}$`)
)

// listings reads one file: an object or an array of objects.
func listings(platform, dir, name string, raw []byte) ([]models.Listing, error) {
	var items []item
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var it item
		if err := connector.Decode(trimmed, &it); err != nil {
			return nil, err
		}
		items = []item{it}
	} else if err := connector.Decode(trimmed, &items); err != nil {
		return nil, err
	}
	out := make([]models.Listing, 0, len(items))
	for i, it := range items {
		l, err := listing(platform, dir, name, i, it)
		if err != nil {
			return nil, fmt.Errorf("listing %d: %w", i, err)
		}
		out = append(out, l)
	}
	return out, nil
}

func listing(platform, dir, name string, i int, it item) (models.Listing, error) {
	title := strings.TrimSpace(it.Title)
	if title == "" {
		return models.Listing{}, &connector.FieldError{Field: "title"}
	}
	id := name + "#" + strconv.Itoa(i)
	if it.ID != nil {
		var s string
		if err := json.Unmarshal(*it.ID, &s); err != nil { // a number id
			var n json.Number
			if err := json.Unmarshal(*it.ID, &n); err != nil {
				return models.Listing{}, fmt.Errorf("%w: id %s", connector.ErrBadResponse, *it.ID)
			}
			s = n.String()
		}
		if !idRE.MatchString(s) {
			return models.Listing{}, fmt.Errorf("%w: id %q", connector.ErrBadResponse, s)
		}
		id = s
	}
	l := models.Listing{Platform: platform, ExternalID: id, Title: title, Desc: strings.TrimSpace(it.Description),
		Seller: it.Seller, ImageURLs: []string{}}
	if it.URL != "" {
		u, ok := connector.ImageURL(it.URL)
		if !ok {
			return models.Listing{}, fmt.Errorf("%w: url %q is not http(s)", connector.ErrBadResponse, it.URL)
		}
		l.URL = u
	}
	if it.Price != nil {
		if *it.Price < 0 || *it.Price > 1e12 {
			return models.Listing{}, fmt.Errorf("%w: price %v", connector.ErrBadResponse, *it.Price)
		}
		l.Price = *it.Price
	}
	if it.Currency != "" {
		cur := strings.ToUpper(it.Currency)
		if !currencyRE.MatchString(cur) {
			return models.Listing{}, fmt.Errorf("%w: currency %q", connector.ErrBadResponse, it.Currency)
		}
		l.Currency = cur
	}
	for _, im := range it.Images {
		u, ok := connector.ImageURL(im)
		if !ok {
			p, found := localfs.File(dir, im)
			if !found {
				continue // missing, outside the drop, or not a URL
			}
			u = localfs.FileURL(p)
		}
		if !slices.Contains(l.ImageURLs, u) {
			l.ImageURLs = append(l.ImageURLs, u)
		}
	}
	return l, nil
}
