package reddit

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

// fakeReddit serves the fixtures as r/RepSneakersDeals/new, two pages
// linked by after.
type fakeReddit struct {
	*connectortest.Fake
}

func newFake(t *testing.T) *fakeReddit {
	t.Helper()
	f := &fakeReddit{}
	f.Fake = connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/r/RepSneakersDeals/new.json" || q.Get("limit") != "2" || q.Get("raw_json") != "1" {
			t.Errorf("request %s", r.URL)
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		name := map[string]string{"": "new_page1.json", "t3_1gw3k9b": "new_page2.json"}[q.Get("after")]
		if name == "" {
			_, _ = w.Write([]byte(`{"kind":"Listing","data":{"after":null,"children":[]}}`))
			return
		}
		connectortest.Fixture(t, w, name)
	})
	return f
}

func (f *fakeReddit) source() models.Source {
	return models.Source{ID: "r1", Type: "reddit", URL: f.Srv.URL, Query: "r/RepSneakersDeals"}
}

func TestCrawlFixtures(t *testing.T) {
	f := newFake(t)
	c := New(f.Srv.Client(), connectortest.Config())
	res, err := c.Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls.Load() != 2 {
		t.Errorf("%d pages read, want 2 (the second has no after)", f.Calls.Load())
	}
	if len(res.Listings) != 3 {
		t.Fatalf("%d listings: %+v", len(res.Listings), res.Listings)
	}
	g := res.Listings[0]
	if g.Platform != "reddit" || g.ExternalID != "t3_1gw4a2c" ||
		g.URL != f.Srv.URL+"/r/RepSneakersDeals/comments/1gw4a2c/wts_dunk_low_panda_batch_all_sizes/" ||
		g.Title != "[WTS] Dunk Low Panda batch, all sizes" || !strings.HasPrefix(g.Desc, "WTS Dunk Low Panda") ||
		g.Seller != "kicksplug_88" || g.Price != 55 || g.Currency != "EUR" ||
		!slices.Equal(g.ImageURLs, []string{ // gallery order, unescaped, only valid images
			"https://preview.redd.it/r9wy2n3o4p5q2.png?width=1200&format=png&auto=webp&s=7d6c",
			"https://preview.redd.it/q8vx1m2n3o4p1.jpg?width=1600&format=pjpg&auto=webp&s=9f8e"}) {
		t.Errorf("gallery post %#v", g)
	}
	p := res.Listings[1]
	if p.Price != 60 || p.Currency != "USD" || p.Seller != "sole_supplier" ||
		!slices.Equal(p.ImageURLs, []string{"https://preview.redd.it/ts1low.jpeg?auto=webp&s=3c5d"}) {
		t.Errorf("preview post %#v", p)
	}
	if d := res.Listings[2]; !slices.Equal(d.ImageURLs, []string{"https://i.imgur.com/Yz350.png"}) || d.Price != 0 || d.Seller != "" {
		t.Errorf("direct image post %#v", d)
	}
	if res.State != "t3_1gw4a2c" {
		t.Errorf("state %q, want the newest fullname", res.State)
	}

	f.Calls.Store(0)
	again, err := c.Crawl(context.Background(), f.source(), res.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Listings) != 0 || again.State != res.State || f.Calls.Load() != 1 {
		t.Errorf("second crawl: %d listings, state %q, %d calls", len(again.Listings), again.State, f.Calls.Load())
	}
	since, err := c.Crawl(context.Background(), f.source(), "t3_1gw3k9b")
	if err != nil {
		t.Fatal(err)
	}
	if len(since.Listings) != 1 || since.State != "t3_1gw4a2c" {
		t.Errorf("crawl since t3_1gw3k9b: %d listings, state %q", len(since.Listings), since.State)
	}
}

func TestCrawlErrors(t *testing.T) {
	wrap := func(child string) string {
		return `{"kind":"Listing","data":{"after":null,"children":[{"kind":"t3","data":` + child + `}]}}`
	}
	cases := map[string]connectortest.ErrorCase{
		"bad subreddit":   {Query: "../../api/v1/me", Want: connector.ErrBadSource},
		"empty subreddit": {Query: "r/", Want: connector.ErrBadSource},
		"bad url":         {URL: "ftp://reddit.com", Want: connector.ErrBadSource},
		"bad state":       {State: "t1_abc", Answer: "{}"},
		"banned":          {Status: 403, Answer: `{"reason":"banned","message":"Forbidden","error":403}`, WantType: new(*connector.StatusError)},
		"html":            {Answer: "<html>", Want: connector.ErrBadResponse},
		"not a listing":   {Answer: `{"kind":"t3","data":{}}`, WantType: new(*connector.FieldError)},
		"missing name":    {Answer: wrap(`{"id":"abc","title":"t","author":"a","permalink":"/r/ab/comments/abc/t/"}`), WantType: new(*connector.FieldError)},
		"name mismatch":   {Answer: wrap(`{"id":"abc","name":"t3_abd","title":"t","author":"a","permalink":"/r/ab/comments/abc/t/"}`), Want: connector.ErrBadResponse},
		"missing title":   {Answer: wrap(`{"id":"abc","name":"t3_abc","author":"a","permalink":"/r/ab/comments/abc/t/"}`), WantType: new(*connector.FieldError)},
		"hostile link":    {Answer: wrap(`{"id":"abc","name":"t3_abc","title":"t","author":"a","permalink":"//evil.example/x"}`), Want: connector.ErrBadResponse},
		"dotdot link":     {Answer: wrap(`{"id":"abc","name":"t3_abc","title":"t","author":"a","permalink":"/r/ab/comments/abc/../../../x"}`), Want: connector.ErrBadResponse},
		"bad after":       {Answer: `{"kind":"Listing","data":{"after":"../x","children":[{"kind":"t3","data":{"id":"abc","name":"t3_abc","title":"t","author":"a","permalink":"/r/ab/comments/abc/t/"}}]}}`, Want: connector.ErrBadResponse},
		"too large":       {Answer: wrap(`{"selftext":"` + strings.Repeat("x", 3000) + `"}`), MaxBytes: 2048, Want: connector.ErrTooLarge},
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
		id := fmt.Sprintf("z%d", 1000-n.Add(1))
		fmt.Fprintf(w, `{"kind":"Listing","data":{"after":"t3_%s","children":[{"kind":"t3","data":{"id":"%s","name":"t3_%s","title":"t","author":"a","permalink":"/r/ab/comments/%s/t/"}}]}}`, id, id, id, id)
		return true
	}
	cfg := connectortest.Config()
	cfg.MaxPages = 3
	res, err := New(f.Srv.Client(), cfg).Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || len(res.Listings) != 3 || res.State != "t3_z999" {
		t.Errorf("%d pages, %d listings, state %q", n.Load(), len(res.Listings), res.State)
	}
}

func TestIdLess(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"", "t3_a", true},
		{"t3_a", "", false},
		{"t3_zz", "t3_100", true},
		{"t3_1gw3k9b", "t3_1gw4a2c", true},
		{"t3_1gw4a2c", "t3_1gw4a2c", false},
	}
	for _, c := range cases {
		if got := idLess(c.a, c.b); got != c.want {
			t.Errorf("idLess(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
