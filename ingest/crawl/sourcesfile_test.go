package crawl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"counterlens/models"
)

var fileTypes = []string{"ebay", "folder", "mastodon", "shopify"}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sources.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadSourcesNamesEveryProblem(t *testing.T) {
	for name, c := range map[string]struct {
		body string
		says []string
	}{
		"not yaml":      {"sources: [", []string{"sources file", "yaml"}},
		"unknown field": {"sources:\n  - name: a\n    type: ebay\n    url: https://a.example\n    every: 5m\n", []string{"field every not found"}},
		"bad fields": {"sources:\n  - name: 'bad name!'\n    type: myspace\n    url: ftp://a.example\n    interval: 5s\n", []string{
			`source 1 ("bad name!"): name must be`, `type "myspace" is not one of ebay, folder, mastodon, shopify`,
			`url "ftp://a.example" must be the platform's http or https URL`, `interval "5s" must be a duration from 1m to 720h`}},
		"duplicate name": {"sources:\n  - {name: shop, type: shopify, url: https://a.example}\n  - {name: SHOP, type: shopify, url: https://b.example}\n",
			[]string{`source 2 ("SHOP"): the name is used by an earlier source`}},
		"local needs a file url": {"sources:\n  - {name: drop, type: folder, url: https://a.example}\n", []string{"file:///absolute/path URL for a folder source"}},
		"no name":                {"sources:\n  - {type: ebay, url: https://a.example}\n", []string{"source 1: name must be"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := LoadSources(writeFile(t, c.body), fileTypes)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range c.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error does not say %q:\n%v", s, err)
				}
			}
		})
	}
	if _, err := LoadSources(filepath.Join(t.TempDir(), "nope.yaml"), fileTypes); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	big := writeFile(t, "sources: []\n#"+strings.Repeat("x", maxSourcesFile))
	if _, err := LoadSources(big, fileTypes); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge file: %v", err)
	}
	if srcs, err := LoadSources(writeFile(t, ""), fileTypes); err != nil || len(srcs) != 0 {
		t.Errorf("empty file: %v %v", srcs, err)
	}
}

func TestSourcesFileIsUpsertedByName(t *testing.T) {
	ctx := context.Background()
	_, s, _ := setup(t)
	path := writeFile(t, `
sources:
  - name: shop-sneakers
    type: shopify
    url: https://shop.example
    query: sneakers
    interval: 15m
  - name: toots
    type: mastodon
    url: https://social.example
    query: deals
  - name: drop
    type: folder
    url: file:///srv/drop
`)
	srcs, err := LoadSources(path, fileTypes)
	if err != nil || len(srcs) != 3 || srcs[0] != (models.Source{Name: "shop-sneakers", Type: "shopify", URL: "https://shop.example", Query: "sneakers", Interval: "15m"}) {
		t.Fatalf("loaded %+v %v", srcs, err)
	}
	if n, err := UpsertSources(ctx, s, srcs); err != nil || n != 3 {
		t.Fatalf("first start created %d, %v", n, err)
	}
	all, _ := s.Sources(ctx)
	byName := map[string]models.Source{}
	for _, src := range all {
		byName[src.Name] = src
	}
	shop, toots := byName["shop-sneakers"], byName["toots"]
	if err := s.SourceCrawled(ctx, shop, `{"cursor":1}`, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SourceCrawled(ctx, toots, "109", time.Now()); err != nil {
		t.Fatal(err)
	}

	// The next start: the same file adds nothing.
	if n, err := UpsertSources(ctx, s, srcs); err != nil || n != 0 {
		t.Fatalf("second start created %d, %v", n, err)
	}
	if again, _ := s.Sources(ctx); len(again) != 3 {
		t.Fatalf("%d sources after the second start", len(again))
	}
	// An edited file: a new interval keeps the crawl state, a new query
	// drops it (it belonged to another feed).
	srcs[0].Interval, srcs[1].Query = "1h", "sneakers"
	if n, err := UpsertSources(ctx, s, srcs); err != nil || n != 0 {
		t.Fatalf("edited file created %d, %v", n, err)
	}
	got, _ := s.Source(ctx, shop.ID)
	if got.Interval != "1h" || got.State != `{"cursor":1}` || got.LastRunAt.IsZero() || !got.CreatedAt.Equal(shop.CreatedAt) {
		t.Fatalf("shop after a new interval: %+v", got)
	}
	got, _ = s.Source(ctx, toots.ID)
	if got.Query != "sneakers" || got.State != "" {
		t.Fatalf("toots after a new query: %+v", got)
	}
}
