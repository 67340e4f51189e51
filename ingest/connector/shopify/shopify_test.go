package shopify

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/connectortest"
	"counterlens/models"
)

// fakeShop serves the fixtures as a catalogue of two pages of limit 2.
type fakeShop struct {
	*connectortest.Fake
}

func newFake(t *testing.T) *fakeShop {
	t.Helper()
	f := &fakeShop{}
	f.Fake = connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/products.json" || r.URL.Query().Get("limit") != "2" {
			t.Errorf("request %s", r.URL)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		name := map[string]string{"1": "products_page1.json", "2": "products_page2.json"}[r.URL.Query().Get("page")]
		if name == "" {
			_, _ = w.Write([]byte(`{"products":[]}`))
			return
		}
		connectortest.Fixture(t, w, name)
	})
	return f
}

func (f *fakeShop) source(query string) models.Source {
	return models.Source{ID: "s1", Type: "shopify", URL: f.Srv.URL + "/", Query: query}
}

func TestCrawlFixtures(t *testing.T) {
	f := newFake(t)
	c := New(f.Srv.Client(), connectortest.Config())
	res, err := c.Crawl(context.Background(), f.source(""), "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls.Load() != 2 {
		t.Errorf("%d pages read, want 2 (the second is short)", f.Calls.Load())
	}
	ids := []string{}
	for _, l := range res.Listings {
		ids = append(ids, l.ExternalID)
	}
	if !slices.Equal(ids, []string{"7981542719664", "7981542752432", "7981542785200"}) {
		t.Fatalf("listings %v, want most recently updated first", ids)
	}
	aj := res.Listings[0]
	if aj.Platform != "shopify" || aj.URL != f.Srv.URL+"/products/air-jordan-1-retro-high-og-chicago" ||
		aj.Title != "Air Jordan 1 Retro High OG Chicago" || aj.Desc != "Top quality 1:1 replica.\n\nShips from Guangzhou & arrives in 7 days." ||
		aj.Price != 79.5 || aj.Currency != "" || aj.Seller != "Nike" ||
		!slices.Equal(aj.ImageURLs, []string{
			"https://cdn.shopify.com/s/files/1/0612/3456/7890/products/aj1-front.jpg?v=1700316760",
			"https://cdn.shopify.com/s/files/1/0612/3456/7890/products/aj1-side.jpg?v=1700316760"}) {
		t.Errorf("first listing %#v", aj)
	}
	if tote := res.Listings[1]; tote.Price != 45 || len(tote.ImageURLs) != 0 || tote.ImageURLs == nil || tote.Seller != "LV Outlet" {
		t.Errorf("tote %#v", tote)
	}
	if j4 := res.Listings[2]; j4.Desc != "" || j4.Price != 120 {
		t.Errorf("jordan 4 %#v", j4)
	}
	if res.State != `{"updated_at":"2026-11-20T16:02:15Z","ids":[7981542719664]}` {
		t.Errorf("state %s", res.State)
	}

	// The same catalogue again: nothing new, the state stays.
	again, err := c.Crawl(context.Background(), f.source(""), res.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Listings) != 0 || again.State != res.State {
		t.Errorf("second crawl: %d listings, state %s", len(again.Listings), again.State)
	}

	// A product updated since comes back, whatever page it is on.
	f.Override = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("page") != "2" {
			return false
		}
		raw, _ := os.ReadFile("testdata/products_page2.json")
		_, _ = w.Write([]byte(strings.Replace(string(raw), `"updated_at": "2026-11-16T07:00:00-05:00"`, `"updated_at": "2026-11-21T07:00:00Z"`, 1)))
		return true
	}
	third, err := c.Crawl(context.Background(), f.source(""), res.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(third.Listings) != 1 || third.Listings[0].ExternalID != "7981542785200" || third.State != `{"updated_at":"2026-11-21T07:00:00Z","ids":[7981542785200]}` {
		t.Errorf("third crawl: %+v, state %s", third.Listings, third.State)
	}
}

func TestCrawlQuery(t *testing.T) {
	cases := map[string][]string{
		"jordan":        {"7981542719664", "7981542785200"},
		"JORDAN retro":  {"7981542719664", "7981542785200"},
		"black cat":     {"7981542785200"},
		"lv outlet":     {"7981542752432"},
		"bags":          {"7981542752432"},
		"sneakers nike": {"7981542719664", "7981542785200"},
		"rolex":         nil,
	}
	for q, want := range cases {
		t.Run(q, func(t *testing.T) {
			f := newFake(t)
			res, err := New(f.Srv.Client(), connectortest.Config()).Crawl(context.Background(), f.source(q), "")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range res.Listings {
				got = append(got, l.ExternalID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("query %q: %v, want %v", q, got, want)
			}
			// The state covers what was read, matched or not.
			if !strings.Contains(res.State, "2026-11-20T16:02:15Z") {
				t.Errorf("state %s", res.State)
			}
		})
	}
}

func TestCrawlErrors(t *testing.T) {
	one := func(fields string) string {
		return `{"products":[{"id":1,"title":"t","handle":"h","updated_at":"2026-11-20T10:00:00Z"` + fields + `}]}`
	}
	cases := map[string]connectortest.ErrorCase{
		"bad url":         {URL: "file:///etc/passwd", Want: connector.ErrBadSource},
		"bad state":       {State: "{", Answer: `{"products":[]}`},
		"not found":       {Status: 404, Answer: `{"errors":"Not Found"}`, WantType: new(*connector.StatusError)},
		"html":            {Answer: "<!doctype html><title>Password</title>", Want: connector.ErrBadResponse},
		"no products":     {Answer: `{"errors":"x"}`, WantType: new(*connector.FieldError)},
		"missing id":      {Answer: `{"products":[{"title":"t","handle":"h","updated_at":"2026-11-20T10:00:00Z"}]}`, WantType: new(*connector.FieldError)},
		"string id":       {Answer: `{"products":[{"id":"1","title":"t","handle":"h"}]}`, Want: connector.ErrBadResponse},
		"missing title":   {Answer: `{"products":[{"id":1,"handle":"h","updated_at":"2026-11-20T10:00:00Z"}]}`, WantType: new(*connector.FieldError)},
		"hostile handle":  {Answer: `{"products":[{"id":1,"title":"t","handle":"../../admin","updated_at":"2026-11-20T10:00:00Z"}]}`, Want: connector.ErrBadResponse},
		"no date":         {Answer: `{"products":[{"id":1,"title":"t","handle":"h"}]}`, WantType: new(*connector.FieldError)},
		"bad date":        {Answer: `{"products":[{"id":1,"title":"t","handle":"h","updated_at":"yesterday"}]}`, Want: connector.ErrBadResponse},
		"bad price":       {Answer: one(`,"variants":[{"price":"1e309"}]`), Want: connector.ErrBadResponse},
		"negative price":  {Answer: one(`,"variants":[{"price":"-5.00"}]`), Want: connector.ErrBadResponse},
		"bad tags":        {Answer: one(`,"tags":{"a":1}`), Want: connector.ErrBadResponse},
		"too large":       {Answer: one(`,"body_html":"` + strings.Repeat("x", 3000) + `"`), MaxBytes: 2048, Want: connector.ErrTooLarge},
		"products object": {Answer: `{"products":{"id":1}}`, Want: connector.ErrBadResponse},
	}
	build := func(d connector.Doer, cfg connector.Config) connector.Connector { return New(d, cfg) }
	connectortest.CheckErrors(t, cases, func(ctx context.Context, t *testing.T, c connectortest.ErrorCase) error {
		f := newFake(t)
		return c.Run(ctx, f.Fake, f.source(""), connectortest.Config(), build)
	})
}

func TestCrawlStopsAtPageCap(t *testing.T) {
	f := newFake(t)
	f.Override = func(w http.ResponseWriter, r *http.Request) bool {
		p := r.URL.Query().Get("page")
		fmt.Fprintf(w, `{"products":[{"id":%s1,"title":"a","handle":"a%s","updated_at":"2026-11-20T10:00:00Z"},{"id":%s2,"title":"b","handle":"b%s","updated_at":"2026-11-20T10:00:00Z"}]}`, p, p, p, p)
		return true
	}
	cfg := connectortest.Config()
	cfg.MaxPages = 3
	res, err := New(f.Srv.Client(), cfg).Crawl(context.Background(), f.source(""), "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls.Load() != 3 || len(res.Listings) != 6 {
		t.Errorf("%d pages, %d listings", f.Calls.Load(), len(res.Listings))
	}
}
