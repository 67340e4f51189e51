package mastodon

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

// fakeServer serves the fixtures as a hashtag timeline of three pages
// (the last empty), linked by Link headers as Mastodon does.
type fakeServer struct {
	srv      *httptest.Server
	calls    atomic.Int32
	override func(w http.ResponseWriter, r *http.Request) bool
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
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		if f.override != nil && f.override(w, r) {
			return
		}
		if r.URL.Path != "/api/v1/timelines/tag/sneakers" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		link := func(next, prev string) {
			w.Header().Set("Link", fmt.Sprintf(`<%s/api/v1/timelines/tag/sneakers?limit=2&max_id=%s>; rel="next", <%s/api/v1/timelines/tag/sneakers?limit=2&min_id=%s>; rel="prev"`,
				f.srv.URL, next, f.srv.URL, prev))
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
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) source() models.Source {
	return models.Source{ID: "m1", Type: "mastodon", URL: f.srv.URL, Query: "#sneakers"}
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
	if f.calls.Load() != 3 {
		t.Errorf("%d pages read, want 3 (the last one empty)", f.calls.Load())
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
	f.calls.Store(0)
	var sinceID string
	f.override = func(w http.ResponseWriter, r *http.Request) bool {
		sinceID = r.URL.Query().Get("since_id")
		return false
	}
	again, err := c.Crawl(context.Background(), f.source(), res.State)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture server ignores since_id: the connector must stop at the
	// first status it has seen.
	if sinceID != res.State || len(again.Listings) != 0 || again.State != res.State || f.calls.Load() != 1 {
		t.Errorf("second crawl: since_id %q, %d listings, state %q, %d calls", sinceID, len(again.Listings), again.State, f.calls.Load())
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
	cases := map[string]struct {
		query, url, state string
		status            int
		answer            string
		link              string
		maxBytes          int64
		want              error
		wantType          any
	}{
		"bad hashtag":      {query: "a/b", want: connector.ErrBadSource},
		"empty hashtag":    {query: "#", want: connector.ErrBadSource},
		"bad url":          {url: "gopher://x", want: connector.ErrBadSource},
		"bad state":        {state: "12'; DROP", answer: "[]"},
		"not found":        {status: 404, answer: `{"error":"Record not found"}`, wantType: new(*connector.StatusError)},
		"not json":         {answer: "<html>", want: connector.ErrBadResponse},
		"object not array": {answer: `{"error":"x"}`, want: connector.ErrBadResponse},
		"missing id":       {answer: `[{"content":"x","account":{"acct":"a"}}]`, wantType: new(*connector.FieldError)},
		"hostile id":       {answer: `[{"id":"../../x","account":{"acct":"a"}}]`, want: connector.ErrBadResponse},
		"missing account":  {answer: `[{"id":"5","content":"x"}]`, wantType: new(*connector.FieldError)},
		"boost of a boost": {answer: `[{"id":"5","account":{"acct":"a"},"reblog":{"id":"4","reblog":{"id":"3"}}}]`, want: connector.ErrBadResponse},
		"too large":        {answer: `[{"id":"5","content":"` + strings.Repeat("x", 3000) + `","account":{"acct":"a"}}]`, maxBytes: 2048, want: connector.ErrTooLarge},
		"foreign next":     {answer: `[{"id":"5","account":{"acct":"a"}}]`, link: `<http://10.0.0.1/x>; rel="next"`, want: connector.ErrBadResponse},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.override = func(w http.ResponseWriter, r *http.Request) bool {
				if c.link != "" {
					w.Header().Set("Link", c.link)
				}
				if c.status != 0 {
					w.WriteHeader(c.status)
				}
				_, _ = w.Write([]byte(c.answer))
				return true
			}
			src := f.source()
			if c.query != "" {
				src.Query = c.query
			}
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
		i := 1000 - n.Add(1)
		w.Header().Set("Link", fmt.Sprintf(`<%s/api/v1/timelines/tag/sneakers?max_id=%d>; rel="next"`, f.srv.URL, i))
		fmt.Fprintf(w, `[{"id":"%d","account":{"acct":"a"}}]`, i)
		return true
	}
	cfg := testConfig()
	cfg.MaxPages = 3
	res, err := New(f.srv.Client(), cfg).Crawl(context.Background(), f.source(), "")
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
