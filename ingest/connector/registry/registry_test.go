package registry

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/ebay"
	"counterlens/ingest/connector/folder"
	"counterlens/ingest/connector/html"
	"counterlens/ingest/connector/mastodon"
	"counterlens/ingest/connector/reddit"
	"counterlens/ingest/connector/rss"
	"counterlens/ingest/connector/shopify"
	"counterlens/ingest/connector/telegram"
	"counterlens/ingest/connector/woocommerce"
)

func TestNew(t *testing.T) {
	cfg := connector.DefaultConfig()
	cases := map[string]struct {
		typ  string
		doer connector.Doer
		cfg  connector.Config
		want any
		err  error
	}{
		"ebay":          {typ: "ebay", doer: http.DefaultClient, cfg: cfg, want: (*ebay.Connector)(nil)},
		"mastodon":      {typ: "mastodon", doer: http.DefaultClient, cfg: cfg, want: (*mastodon.Connector)(nil)},
		"shopify":       {typ: "shopify", doer: http.DefaultClient, cfg: cfg, want: (*shopify.Connector)(nil)},
		"woocommerce":   {typ: "woocommerce", doer: http.DefaultClient, cfg: cfg, want: (*woocommerce.Connector)(nil)},
		"reddit":        {typ: "reddit", doer: http.DefaultClient, cfg: cfg, want: (*reddit.Connector)(nil)},
		"rss":           {typ: "rss", doer: http.DefaultClient, cfg: cfg, want: (*rss.Connector)(nil)},
		"html":          {typ: "html", doer: http.DefaultClient, cfg: cfg, want: (*html.Connector)(nil)},
		"telegram":      {typ: "telegram", doer: http.DefaultClient, cfg: cfg, want: (*telegram.Connector)(nil)},
		"relative root": {typ: "telegram", doer: http.DefaultClient, cfg: func() connector.Config { c := cfg; c.LocalRoot = "drops"; return c }()},
		"folder":        {typ: "folder", doer: http.DefaultClient, cfg: cfg, want: (*folder.Connector)(nil)},
		"unknown":       {typ: "myspace", doer: http.DefaultClient, cfg: cfg, err: connector.ErrUnknownType},
		"case matters":  {typ: "EBAY", doer: http.DefaultClient, cfg: cfg, err: connector.ErrUnknownType},
		"bad config":    {typ: "ebay", doer: http.DefaultClient, cfg: connector.Config{}},
		"half the keys": {typ: "ebay", doer: http.DefaultClient, cfg: func() connector.Config { c := cfg; c.EbayClientID = "x"; return c }()},
		"nil doer":      {typ: "ebay", cfg: cfg},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := New(c.typ, c.doer, c.cfg)
			if c.want == nil {
				if err == nil {
					t.Fatalf("New(%q) = %T, want an error", c.typ, got)
				}
				if c.err != nil && !errors.Is(err, c.err) {
					t.Fatalf("error %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", c.want) {
				t.Errorf("got %T, want %T", got, c.want)
			}
			switch c.want.(type) {
			case *ebay.Connector:
				if _, ok := got.(*ebay.Connector); !ok {
					t.Errorf("got %T", got)
				}
			case *mastodon.Connector:
				if _, ok := got.(*mastodon.Connector); !ok {
					t.Errorf("got %T", got)
				}
			}
		})
	}
	if !slices.Equal(Types(), []string{"ebay", "folder", "html", "mastodon", "reddit", "rss", "shopify", "telegram", "woocommerce"}) {
		t.Errorf("Types() = %v", Types())
	}
}
