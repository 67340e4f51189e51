package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/models"
)

// fakeShop answers like the Store API from the fixtures: two pages of
// per_page 2, announced by X-WP-TotalPages.
type fakeShop struct {
	srv      *httptest.Server
	calls    atomic.Int32
	searches []string
	override func(w http.ResponseWriter, r *http.Request) bool
}

func newFake(t *testing.T) *fakeShop {
	t.Helper()
	f := &fakeShop{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		q := r.URL.Query()
		f.searches = append(f.searches, q.Get("search"))
		if f.override != nil && f.override(w, r) {
			return
		}
		if r.URL.Path != "/wp-json/wc/store/v1/products" || q.Get("per_page") != "2" || q.Get("orderby") != "date" || q.Get("order") != "desc" {
			t.Errorf("request %s", r.URL)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Header().Set("X-WP-Total", "3")
		w.Header().Set("X-WP-TotalPages", "2")
		name := map[string]string{"1": "products_page1.json", "2": "products_page2.json"}[q.Get("page")]
		if name == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"code":"rest_invalid_param","message":"Invalid parameter(s): page","data":{"status":400}}`))
			return
		}
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Error(err)
		}
		_, _ = w.Write(raw)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeShop) source() models.Source {
	return models.Source{ID: "w1", Type: "woocommerce", URL: f.srv.URL, Query: "rolex watch"}
}

func testConfig() connector.Config {
	cfg := connector.DefaultConfig()
	cfg.PageSize = 2
	return cfg
}

func TestCrawlFixtures(t *testing.T) {
	f := newFake(t)
	c := New(f.srv.Client(), testConfig())
	res, err := c.Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if f.calls.Load() != 2 || !slices.Equal(f.searches, []string{"rolex watch", "rolex watch"}) {
		t.Errorf("%d pages read with searches %q, want 2 (X-WP-TotalPages)", f.calls.Load(), f.searches)
	}
	if len(res.Listings) != 3 {
		t.Fatalf("%d listings: %+v", len(res.Listings), res.Listings)
	}
	host := strings.TrimPrefix(f.srv.URL, "http://")
	sub := res.Listings[0]
	if sub.Platform != "woocommerce" || sub.ExternalID != "412" || sub.Title != "Rolex Submariner Date – Green Bezel" ||
		sub.URL != "https://watches.example/product/rolex-submariner-date-green/" ||
		sub.Desc != "Swiss movement, AAA quality.\n\nBox & papers included. WhatsApp +852 5555 0100" ||
		sub.Price != 199.99 || sub.Currency != "USD" || sub.Seller != strings.Split(host, ":")[0] ||
		!slices.Equal(sub.ImageURLs, []string{"https://watches.example/wp-content/uploads/2026/11/sub-green.jpg",
			"https://watches.example/wp-content/uploads/2026/11/sub-green-back.jpg"}) {
		t.Errorf("first listing %#v", sub)
	}
	if ro := res.Listings[1]; ro.Price != 320 || ro.Currency != "EUR" || ro.Desc != "Steel or gold." || len(ro.ImageURLs) != 1 {
		t.Errorf("variable product %#v", ro)
	}
	dj := res.Listings[2]
	if dj.Price != 25000 || dj.Currency != "JPY" || dj.Desc != "Jubilee bracelet" || len(dj.ImageURLs) != 0 ||
		dj.URL != f.srv.URL+"/?post_type=product&p=371" {
		t.Errorf("yen product without permalink %#v", dj)
	}
	if res.State != "412" {
		t.Errorf("state %q, want the highest id", res.State)
	}

	// Nothing newer: the first page holds only known products, so the
	// crawl stops there.
	f.calls.Store(0)
	again, err := c.Crawl(context.Background(), f.source(), res.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Listings) != 0 || again.State != "412" || f.calls.Load() != 1 {
		t.Errorf("second crawl: %d listings, state %q, %d calls", len(again.Listings), again.State, f.calls.Load())
	}
	// From an older id, only the newer products come back.
	mid, err := c.Crawl(context.Background(), f.source(), "380")
	if err != nil {
		t.Fatal(err)
	}
	if len(mid.Listings) != 2 || mid.State != "412" {
		t.Errorf("crawl since 380: %d listings, state %q", len(mid.Listings), mid.State)
	}
}

func TestCrawlErrors(t *testing.T) {
	one := func(fields string) string {
		return `[{"id":5,"name":"n","permalink":"https://s.example/p/n/"` + fields + `}]`
	}
	cases := map[string]struct {
		url, state string
		status     int
		answer     string
		totalPages string
		maxBytes   int64
		want       error
		wantType   any
	}{
		"bad url":          {url: "javascript:x", want: connector.ErrBadSource},
		"bad state":        {state: "-1", answer: "[]"},
		"state not number": {state: "abc", answer: "[]"},
		"store api off":    {status: 404, answer: `{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}`, wantType: new(*connector.StatusError)},
		"html":             {answer: "<html>", want: connector.ErrBadResponse},
		"object":           {answer: `{"id":5}`, want: connector.ErrBadResponse},
		"missing id":       {answer: `[{"name":"n"}]`, wantType: new(*connector.FieldError)},
		"missing name":     {answer: `[{"id":5,"name":"  "}]`, wantType: new(*connector.FieldError)},
		"decimal price":    {answer: one(`,"prices":{"price":"19.99","currency_code":"USD","currency_minor_unit":2}`), want: connector.ErrBadResponse},
		"huge price":       {answer: one(`,"prices":{"price":"99999999999999999999","currency_code":"USD","currency_minor_unit":2}`), want: connector.ErrBadResponse},
		"bad minor unit":   {answer: one(`,"prices":{"price":"100","currency_code":"USD","currency_minor_unit":99}`), want: connector.ErrBadResponse},
		"bad currency":     {answer: one(`,"prices":{"price":"100","currency_code":"$","currency_minor_unit":2}`), want: connector.ErrBadResponse},
		"bad total pages":  {answer: "[]", totalPages: "many", want: connector.ErrBadResponse},
		"too large":        {answer: one(`,"description":"` + strings.Repeat("x", 3000) + `"`), maxBytes: 2048, want: connector.ErrTooLarge},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.override = func(w http.ResponseWriter, r *http.Request) bool {
				if c.totalPages != "" {
					w.Header().Set("X-WP-TotalPages", c.totalPages)
				}
				if c.status != 0 {
					w.WriteHeader(c.status)
				}
				_, _ = w.Write([]byte(c.answer))
				return true
			}
			src := f.source()
			if c.url != "" {
				src.URL = c.url
			}
			cfg := testConfig()
			if c.maxBytes != 0 {
				cfg.MaxPageBytes = c.maxBytes
			}
			_, err := New(f.srv.Client(), cfg).Crawl(context.Background(), src, c.state)
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

func TestCrawlStopsAtPageCap(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.override = func(w http.ResponseWriter, r *http.Request) bool {
		i := 1000 - 2*n.Add(1)
		w.Header().Set("X-WP-TotalPages", "400")
		fmt.Fprintf(w, `[{"id":%d,"name":"a","permalink":"https://s.example/a"},{"id":%d,"name":"b","permalink":"https://s.example/b"}]`, i+1, i)
		return true
	}
	cfg := testConfig()
	cfg.MaxPages = 3
	res, err := New(f.srv.Client(), cfg).Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || len(res.Listings) != 6 || res.State != "999" {
		t.Errorf("%d pages, %d listings, state %q", n.Load(), len(res.Listings), res.State)
	}
}
