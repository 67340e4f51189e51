package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/connectortest"
	"counterlens/models"
)

// fakeShop answers like the Store API from the fixtures: two pages of
// per_page 2, announced by X-WP-TotalPages.
type fakeShop struct {
	*connectortest.Fake
	searches []string
}

func newFake(t *testing.T) *fakeShop {
	t.Helper()
	f := &fakeShop{}
	f.Fake = connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f.searches = append(f.searches, q.Get("search"))
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
		connectortest.Fixture(t, w, name)
	})
	return f
}

func (f *fakeShop) source() models.Source {
	return models.Source{ID: "w1", Type: "woocommerce", URL: f.Srv.URL, Query: "rolex watch"}
}

func TestCrawlFixtures(t *testing.T) {
	f := newFake(t)
	c := New(f.Srv.Client(), connectortest.Config())
	res, err := c.Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls.Load() != 2 || !slices.Equal(f.searches, []string{"rolex watch", "rolex watch"}) {
		t.Errorf("%d pages read with searches %q, want 2 (X-WP-TotalPages)", f.Calls.Load(), f.searches)
	}
	if len(res.Listings) != 3 {
		t.Fatalf("%d listings: %+v", len(res.Listings), res.Listings)
	}
	host := strings.TrimPrefix(f.Srv.URL, "http://")
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
		dj.URL != f.Srv.URL+"/?post_type=product&p=371" {
		t.Errorf("yen product without permalink %#v", dj)
	}
	if res.State != "412" {
		t.Errorf("state %q, want the highest id", res.State)
	}

	// Nothing newer: the first page holds only known products, so the
	// crawl stops there.
	f.Calls.Store(0)
	again, err := c.Crawl(context.Background(), f.source(), res.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Listings) != 0 || again.State != "412" || f.Calls.Load() != 1 {
		t.Errorf("second crawl: %d listings, state %q, %d calls", len(again.Listings), again.State, f.Calls.Load())
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
	cases := map[string]connectortest.ErrorCase{
		"bad url":          {URL: "javascript:x", Want: connector.ErrBadSource},
		"bad state":        {State: "-1", Answer: "[]"},
		"state not number": {State: "abc", Answer: "[]"},
		"store api off":    {Status: 404, Answer: `{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}`, WantType: new(*connector.StatusError)},
		"html":             {Answer: "<html>", Want: connector.ErrBadResponse},
		"object":           {Answer: `{"id":5}`, Want: connector.ErrBadResponse},
		"missing id":       {Answer: `[{"name":"n"}]`, WantType: new(*connector.FieldError)},
		"missing name":     {Answer: `[{"id":5,"name":"  "}]`, WantType: new(*connector.FieldError)},
		"decimal price":    {Answer: one(`,"prices":{"price":"19.99","currency_code":"USD","currency_minor_unit":2}`), Want: connector.ErrBadResponse},
		"huge price":       {Answer: one(`,"prices":{"price":"99999999999999999999","currency_code":"USD","currency_minor_unit":2}`), Want: connector.ErrBadResponse},
		"bad minor unit":   {Answer: one(`,"prices":{"price":"100","currency_code":"USD","currency_minor_unit":99}`), Want: connector.ErrBadResponse},
		"bad currency":     {Answer: one(`,"prices":{"price":"100","currency_code":"$","currency_minor_unit":2}`), Want: connector.ErrBadResponse},
		"bad total pages":  {Answer: "[]", Header: map[string]string{"X-WP-TotalPages": "many"}, Want: connector.ErrBadResponse},
		"too large":        {Answer: one(`,"description":"` + strings.Repeat("x", 3000) + `"`), MaxBytes: 2048, Want: connector.ErrTooLarge},
	}
	build := func(d connector.Doer, cfg connector.Config) connector.Connector { return New(d, cfg) }
	connectortest.CheckErrors(t, cases, func(ctx context.Context, t *testing.T, c connectortest.ErrorCase) error {
		f := newFake(t)
		return c.Run(ctx, f.Fake, f.source(), connectortest.Config(), build)
	})
}

func TestCrawlStopsAtPageCap(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.Override = func(w http.ResponseWriter, r *http.Request) bool {
		i := 1000 - 2*n.Add(1)
		w.Header().Set("X-WP-TotalPages", "400")
		fmt.Fprintf(w, `[{"id":%d,"name":"a","permalink":"https://s.example/a"},{"id":%d,"name":"b","permalink":"https://s.example/b"}]`, i+1, i)
		return true
	}
	cfg := connectortest.Config()
	cfg.MaxPages = 3
	res, err := New(f.Srv.Client(), cfg).Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || len(res.Listings) != 6 || res.State != "999" {
		t.Errorf("%d pages, %d listings, state %q", n.Load(), len(res.Listings), res.State)
	}
}
