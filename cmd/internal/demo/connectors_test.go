package demo

import (
	"context"
	"net/http/httptest"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/registry"
	"counterlens/models"
)

// TestConnectorsCrawlMarket crawls the demo market with the real
// connectors: every demo listing is found with its fields and pictures,
// and a second crawl finds nothing new.
func TestConnectorsCrawlMarket(t *testing.T) {
	m, err := NewMarket(dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	cfg := connector.DefaultConfig()
	cfg.PageSize = 3 // force paging
	cfg.EbayClientID, cfg.EbayClientSecret = "demo-client", "demo-secret"

	for _, platform := range []string{"ebay", "mastodon"} {
		t.Run(platform, func(t *testing.T) {
			c, err := registry.New(platform, srv.Client(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			src := models.Source{ID: "s", Type: platform, URL: srv.URL, Query: SearchTerm}
			res, err := c.Crawl(context.Background(), src, "")
			if err != nil {
				t.Fatal(err)
			}
			want := m.data.platform(platform)
			if len(res.Listings) != len(want) {
				t.Fatalf("%d listings, want %d", len(res.Listings), len(want))
			}
			for i, l := range res.Listings {
				w := want[i]
				if l.Platform != platform || l.ExternalID != w.ExternalID || l.Seller != w.Seller || len(l.ImageURLs) != len(w.Images) || l.URL == "" {
					t.Errorf("listing %d: %+v, want %+v", i, l, w)
				}
				if platform == "ebay" && (l.Title != w.Title || l.Desc != w.Desc || l.Price != w.Price || l.Currency != w.Currency) {
					t.Errorf("listing %d: %+v, want %+v", i, l, w)
				}
				if platform == "mastodon" && (l.Title != w.Title || l.Price != w.Price || l.Currency != w.Currency) {
					t.Errorf("listing %d: title %q price %v, want %q %v", i, l.Title, l.Price, w.Title, w.Price)
				}
				for _, u := range l.ImageURLs {
					resp, _ := get(t, u)
					if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
						t.Errorf("%s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
					}
				}
			}
			again, err := c.Crawl(context.Background(), src, res.State)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Listings) != 0 || res.State == "" {
				t.Errorf("second crawl found %d, state %q", len(again.Listings), res.State)
			}
		})
	}
}
