package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/connectortest"
	"counterlens/models"
)

// fakeServer serves the fixtures as a hashtag timeline of three pages
// (the last empty), linked by Link headers as Mastodon does.
type fakeServer struct {
	*connectortest.Fake
}

func newFake(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	read := func(name string) []byte {
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	f.Fake = connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/timelines/tag/sneakers" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		link := func(next, prev string) {
			w.Header().Set("Link", fmt.Sprintf(`<%s/api/v1/timelines/tag/sneakers?limit=2&max_id=%s>; rel="next", <%s/api/v1/timelines/tag/sneakers?limit=2&min_id=%s>; rel="prev"`,
				f.Srv.URL, next, f.Srv.URL, prev))
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch q.Get("max_id") {
		case "":
			link("112580000000000104", "112580000000000105")
			_, _ = w.Write(read("tag_page1.json"))
		case "112580000000000104":
			link("112580000000000103", "112580000000000103")
			_, _ = w.Write(read("tag_page2.json"))
		default:
			_, _ = w.Write([]byte("[]"))
		}
	})
	return f
}

func (f *fakeServer) source() models.Source {
	return models.Source{ID: "m1", Type: "mastodon", URL: f.Srv.URL, Query: "#sneakers"}
}

func TestCrawlFixtures(t *testing.T) {
	f := newFake(t)
	c := New(f.Srv.Client(), connectortest.Config())
	res, err := c.Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls.Load() != 3 {
		t.Errorf("%d pages read, want 3 (the last one empty)", f.Calls.Load())
	}
	if len(res.Listings) != 3 {
		t.Fatalf("%d listings: %+v", len(res.Listings), res.Listings)
	}
	first := res.Listings[0]
	wantDesc := "Sneakers 30 € a pair & free shipping\n\nMirror quality, message me\nWhatsApp only #sneakers"
	if first.Platform != "mastodon" || first.ExternalID != "112580000000000105" ||
		first.URL != "https://shoes.example/@shoeking88/112580000000000105" || first.Seller != "shoeking88" ||
		first.Title != "Sneakers 30 € a pair & free shipping" || first.Desc != wantDesc ||
		first.Price != 30 || first.Currency != "EUR" ||
		!slices.Equal(first.ImageURLs, []string{"https://files.shoes.example/media_attachments/files/112/580/000/original/a1.jpg"}) {
		t.Errorf("first listing %#v", first)
	}
	boost := res.Listings[1]
	if boost.ExternalID != "112579999999999001" || boost.Seller != "bagsdirect@other.example" || boost.Price != 45 || len(boost.ImageURLs) != 1 {
		t.Errorf("boosted listing %#v", boost)
	}
	remote := res.Listings[2]
	if remote.URL != "https://remote.example/users/jacketsale/statuses/77" || !slices.Equal(remote.ImageURLs, []string{"https://remote.example/m/j.jpg"}) ||
		remote.Title != "sale" || !strings.Contains(remote.Desc, "Order on WhatsApp <see picture>") || remote.Price != 45 {
		t.Errorf("remote listing %#v", remote)
	}
	if res.State != "112580000000000105" {
		t.Errorf("state %q, want the newest id", res.State)
	}

	// Incremental: since the newest id, the server answers with nothing new.
	f.Calls.Store(0)
	var sinceID string
	f.Override = func(w http.ResponseWriter, r *http.Request) bool {
		sinceID = r.URL.Query().Get("since_id")
		return false
	}
	again, err := c.Crawl(context.Background(), f.source(), res.State)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture server ignores since_id: the connector must stop at the
	// first status it has seen.
	if sinceID != res.State || len(again.Listings) != 0 || again.State != res.State || f.Calls.Load() != 1 {
		t.Errorf("second crawl: since_id %q, %d listings, state %q, %d calls", sinceID, len(again.Listings), again.State, f.Calls.Load())
	}
	// From an older state, only the newer statuses come back.
	res3, err := c.Crawl(context.Background(), f.source(), "112580000000000103")
	if err != nil {
		t.Fatal(err)
	}
	if len(res3.Listings) != 2 || res3.State != "112580000000000105" {
		t.Errorf("crawl since 103: %d listings, state %q", len(res3.Listings), res3.State)
	}
}

func TestCrawlErrors(t *testing.T) {
	cases := map[string]connectortest.ErrorCase{
		"bad hashtag":      {Query: "a/b", Want: connector.ErrBadSource},
		"empty hashtag":    {Query: "#", Want: connector.ErrBadSource},
		"bad url":          {URL: "gopher://x", Want: connector.ErrBadSource},
		"bad state":        {State: "12'; DROP", Answer: "[]"},
		"not found":        {Status: 404, Answer: `{"error":"Record not found"}`, WantType: new(*connector.StatusError)},
		"not json":         {Answer: "<html>", Want: connector.ErrBadResponse},
		"object not array": {Answer: `{"error":"x"}`, Want: connector.ErrBadResponse},
		"missing id":       {Answer: `[{"content":"x","account":{"acct":"a"}}]`, WantType: new(*connector.FieldError)},
		"hostile id":       {Answer: `[{"id":"../../x","account":{"acct":"a"}}]`, Want: connector.ErrBadResponse},
		"missing account":  {Answer: `[{"id":"5","content":"x"}]`, WantType: new(*connector.FieldError)},
		"boost of a boost": {Answer: `[{"id":"5","account":{"acct":"a"},"reblog":{"id":"4","reblog":{"id":"3"}}}]`, Want: connector.ErrBadResponse},
		"too large":        {Answer: `[{"id":"5","content":"` + strings.Repeat("x", 3000) + `","account":{"acct":"a"}}]`, MaxBytes: 2048, Want: connector.ErrTooLarge},
		"foreign next":     {Answer: `[{"id":"5","account":{"acct":"a"}}]`, Header: map[string]string{"Link": `<http://10.0.0.1/x>; rel="next"`}, Want: connector.ErrBadResponse},
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
		i := 1000 - n.Add(1)
		w.Header().Set("Link", fmt.Sprintf(`<%s/api/v1/timelines/tag/sneakers?max_id=%d>; rel="next"`, f.Srv.URL, i))
		fmt.Fprintf(w, `[{"id":"%d","account":{"acct":"a"}}]`, i)
		return true
	}
	cfg := connectortest.Config()
	cfg.MaxPages = 3
	res, err := New(f.Srv.Client(), cfg).Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || len(res.Listings) != 3 || res.State != "999" {
		t.Errorf("%d pages, %d listings, state %q", n.Load(), len(res.Listings), res.State)
	}
}

func TestNextLink(t *testing.T) {
	cases := map[string]string{
		`<https://m.example/api/v1/timelines/tag/a?max_id=7>; rel="next", <https://m.example/api/v1/timelines/tag/a?min_id=9>; rel="prev"`: "https://m.example/api/v1/timelines/tag/a?max_id=7",
		`<https://m.example/p?min_id=9>; rel="prev"`:           "",
		`<https://m.example/n>; rel=next`:                      "https://m.example/n",
		`<https://m.example/n>; title="a, b"; rel="prev next"`: "https://m.example/n",
		`garbage`: "",
	}
	for in, want := range cases {
		if got := nextLink([]string{in}); got != want {
			t.Errorf("nextLink(%q) = %q, want %q", in, got, want)
		}
	}
}
