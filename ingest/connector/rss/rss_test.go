package rss

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/connectortest"
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
	cases := map[string]connectortest.ErrorCase{
		"bad url":     {URL: "file:///etc/passwd", Want: connector.ErrBadSource},
		"userinfo":    {URL: "http://u:p@127.0.0.1/", Want: connector.ErrBadSource},
		"bad state":   {State: "[", Answer: "<rss version=\"2.0\"><channel></channel></rss>"},
		"gone":        {Status: 410, Answer: "gone", WantType: new(*connector.StatusError)},
		"html page":   {Answer: "<!doctype html><html><body>hi</body></html>", Want: connector.ErrBadResponse},
		"broken xml":  {Answer: `<rss version="2.0"><channel><item><title>x</ti`, Want: connector.ErrBadResponse},
		"no id":       {Answer: `<rss version="2.0"><channel><item><title>x</title></item></channel></rss>`, WantType: new(*connector.FieldError)},
		"xml entity":  {Answer: `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><item><title>&x;</title></item></channel></rss>`, Want: connector.ErrBadResponse},
		"too large":   {Answer: `<rss version="2.0"><channel><item><title>` + strings.Repeat("x", 3000) + `</title></item></channel></rss>`, MaxBytes: 2048, Want: connector.ErrTooLarge},
		"json object": {Answer: `{"version":"https://jsonfeed.org/version/1.1","items":[{"title":"no id"}]}`, WantType: new(*connector.FieldError)},
	}
	build := func(d connector.Doer, cfg connector.Config) connector.Connector { return New(d, cfg) }
	connectortest.CheckErrors(t, cases, func(ctx context.Context, t *testing.T, c connectortest.ErrorCase) error {
		f := connectortest.NewFake(t, http.NotFound)
		return c.Run(ctx, f, models.Source{Type: "rss", URL: f.Srv.URL + "/feed"}, connector.DefaultConfig(), build)
	})
}
