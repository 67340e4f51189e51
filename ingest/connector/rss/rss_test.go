package rss

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/models"
)

// serve answers every request with body (a fixture name or literal text).
func serve(t *testing.T, contentType string, body func() string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write([]byte(body()))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func fixture(t *testing.T, name string) func() string {
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return func() string { return string(raw) }
}

func crawl(t *testing.T, srv *httptest.Server, path, state string) connector.Result {
	t.Helper()
	src := models.Source{ID: "f1", Type: "rss", URL: srv.URL + path}
	res, err := New(srv.Client(), connector.DefaultConfig()).Crawl(context.Background(), src, state)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCrawlRSS(t *testing.T) {
	srv := serve(t, "application/rss+xml; charset=UTF-8", fixture(t, "shop.rss"))
	res := crawl(t, srv, "/feed/?type=rss2", "")
	if len(res.Listings) != 3 {
		t.Fatalf("%d listings: %+v", len(res.Listings), res.Listings)
	}
	sp := res.Listings[0]
	if sp.Platform != "rss" || sp.ExternalID != "deals-1042" || sp.URL != "https://deals.example/p/speedy-30" ||
		sp.Title != "Speedy 30 Monogram & strap – 89 €" || sp.Desc != "Mirror quality, 1:1." ||
		sp.Seller != "bagqueen" || sp.Price != 89 || sp.Currency != "EUR" ||
		!slices.Equal(sp.ImageURLs, []string{
			"https://cdn.deals.example/speedy-front.jpg", // enclosure, and again in the HTML
			"https://cdn.deals.example/speedy-side.jpg",
			"https://cdn.deals.example/speedy-thumb.jpg",
			"https://deals.example/wp-content/speedy-inside.jpg", // relative to the entry's link
		}) {
		t.Errorf("first entry %#v", sp)
	}
	sub := res.Listings[1]
	if sub.ExternalID != "https://deals.example/?p=1041" || sub.Price != 150 || sub.Currency != "USD" || sub.Seller != "Luxury Deals Outlet" ||
		!slices.Equal(sub.ImageURLs, []string{"https://cdn.deals.example/sub.png"}) {
		t.Errorf("media:group entry %#v", sub)
	}
	hood := res.Listings[2]
	if hood.ExternalID != "deals-1040" || hood.URL != "" || len(hood.ImageURLs) != 0 || hood.ImageURLs == nil {
		t.Errorf("undated entry with hostile link and data image %#v", hood)
	}
	if res.State != `{"newest":"2026-11-20T17:30:00Z","ids":["deals-1042"],"undated":["deals-1040"]}` {
		t.Errorf("state %s", res.State)
	}
	if again := crawl(t, srv, "/feed/?type=rss2", res.State); len(again.Listings) != 0 || again.State != res.State {
		t.Errorf("second crawl: %d listings, state %s", len(again.Listings), again.State)
	}
	older := `{"newest":"2026-11-19T09:00:00Z","ids":["https://deals.example/?p=1041"]}`
	if mid := crawl(t, srv, "/feed/?type=rss2", older); len(mid.Listings) != 2 || mid.Listings[0].ExternalID != "deals-1042" || mid.Listings[1].ExternalID != "deals-1040" {
		t.Errorf("crawl since the 19th: %+v", mid.Listings)
	}
}

func TestCrawlAtom(t *testing.T) {
	srv := serve(t, "application/atom+xml", fixture(t, "shop.atom"))
	res := crawl(t, srv, "/feed.atom", "")
	if len(res.Listings) != 2 {
		t.Fatalf("%d listings: %+v", len(res.Listings), res.Listings)
	}
	j4 := res.Listings[0]
	if j4.ExternalID != "tag:kicks.example,2026:drop-77" || j4.URL != "https://kicks.example/drops/j4-black-cat" ||
		j4.Title != "Jordan 4 Black Cat" || j4.Desc != "USD 120, DM on Telegram" || j4.Price != 120 || j4.Currency != "USD" ||
		j4.Seller != "Kicks Plug" ||
		!slices.Equal(j4.ImageURLs, []string{"https://img.kicks.example/j4.jpg", "https://img.kicks.example/j4-thumb.jpg", "https://kicks.example/drops/j4-box.jpg"}) {
		t.Errorf("first entry %#v", j4)
	}
	if d := res.Listings[1]; d.Seller != "Reseller Joe" || d.Desc != "Restock" || len(d.ImageURLs) != 0 {
		t.Errorf("second entry %#v", d)
	}
	// Both entries are dated 11:00 (published, else updated): both ids
	// are kept so that neither comes back.
	if res.State != `{"newest":"2026-11-20T11:00:00Z","ids":["tag:kicks.example,2026:drop-77","tag:kicks.example,2026:drop-76"]}` {
		t.Errorf("state %s", res.State)
	}
	if again := crawl(t, srv, "/feed.atom", res.State); len(again.Listings) != 0 {
		t.Errorf("second crawl: %+v", again.Listings)
	}
}

func TestCrawlNewEntry(t *testing.T) {
	body := fixture(t, "shop.atom")()
	var cur string
	srv := serve(t, "application/atom+xml", func() string { return cur })
	cur = body
	first := crawl(t, srv, "/feed.atom", "")
	cur = strings.Replace(body, "<entry>", `<entry><title>Yeezy 350</title><id>tag:kicks.example,2026:drop-78</id><link href="https://kicks.example/drops/y350"/><published>2026-11-21T08:00:00Z</published></entry><entry>`, 1)
	second := crawl(t, srv, "/feed.atom", first.State)
	if len(second.Listings) != 1 || second.Listings[0].ExternalID != "tag:kicks.example,2026:drop-78" ||
		second.State != `{"newest":"2026-11-21T08:00:00Z","ids":["tag:kicks.example,2026:drop-78"]}` {
		t.Errorf("new entry: %+v, state %s", second.Listings, second.State)
	}
}

func TestCrawlErrors(t *testing.T) {
	cases := map[string]struct {
		url, state string
		status     int
		answer     string
		maxBytes   int64
		want       error
		wantType   any
	}{
		"bad url":     {url: "file:///etc/passwd", want: connector.ErrBadSource},
		"userinfo":    {url: "http://u:p@127.0.0.1/", want: connector.ErrBadSource},
		"bad state":   {state: "[", answer: "<rss version=\"2.0\"><channel></channel></rss>"},
		"gone":        {status: 410, answer: "gone", wantType: new(*connector.StatusError)},
		"html page":   {answer: "<!doctype html><html><body>hi</body></html>", want: connector.ErrBadResponse},
		"broken xml":  {answer: `<rss version="2.0"><channel><item><title>x</ti`, want: connector.ErrBadResponse},
		"no id":       {answer: `<rss version="2.0"><channel><item><title>x</title></item></channel></rss>`, wantType: new(*connector.FieldError)},
		"xml entity":  {answer: `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><item><title>&x;</title></item></channel></rss>`, want: connector.ErrBadResponse},
		"too large":   {answer: `<rss version="2.0"><channel><item><title>` + strings.Repeat("x", 3000) + `</title></item></channel></rss>`, maxBytes: 2048, want: connector.ErrTooLarge},
		"json object": {answer: `{"version":"https://jsonfeed.org/version/1.1","items":[{"title":"no id"}]}`, wantType: new(*connector.FieldError)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if c.status != 0 {
					w.WriteHeader(c.status)
				}
				_, _ = w.Write([]byte(c.answer))
			}))
			defer srv.Close()
			src := models.Source{Type: "rss", URL: srv.URL + "/feed"}
			if c.url != "" {
				src.URL = c.url
			}
			cfg := connector.DefaultConfig()
			if c.maxBytes != 0 {
				cfg.MaxPageBytes = c.maxBytes
			}
			_, err := New(srv.Client(), cfg).Crawl(context.Background(), src, c.state)
			if err == nil {
				t.Fatal("no error")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
			if c.wantType != nil && !errors.As(err, c.wantType) {
				t.Errorf("error %v (%T), want a %T", err, err, c.wantType)
			}
		})
	}
}
