package html

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

const selectors = `{"item":".ad-item","title":"h2","price":".price","link":"a.ad-title","image":"img.thumb","seller":".seller","next":"a[rel=next]"}`

// fakeSite serves the two fixture pages at /taschen?seite=N.
type fakeSite struct {
	*connectortest.Fake
}

func newFake(t *testing.T) *fakeSite {
	t.Helper()
	f := &fakeSite{}
	f.Fake = connectortest.NewFake(t, func(w http.ResponseWriter, r *http.Request) {
		name := map[string]string{"1": "page1.html", "2": "page2.html"}[r.URL.Query().Get("seite")]
		if r.URL.Path != "/taschen" || name == "" {
			http.NotFound(w, r)
			return
		}
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(raw)
	})
	return f
}

func (f *fakeSite) source() models.Source {
	return models.Source{ID: "h1", Type: "html", URL: f.Srv.URL + "/taschen?seite=1", Query: selectors}
}

func TestCrawlFixtures(t *testing.T) {
	f := newFake(t)
	c := New(f.Srv.Client(), connector.DefaultConfig())
	res, err := c.Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls.Load() != 2 {
		t.Errorf("%d pages read, want 2 (page 2 links back to page 1)", f.Calls.Load())
	}
	if len(res.Listings) != 3 {
		t.Fatalf("%d listings: %+v", len(res.Listings), res.Listings)
	}
	host := strings.Split(strings.TrimPrefix(f.Srv.URL, "http://"), ":")[0]
	sp := res.Listings[0]
	if sp.Platform != "html" || sp.ExternalID != f.Srv.URL+"/anzeige/2871-speedy-30" || sp.URL != sp.ExternalID ||
		sp.Title != "Speedy 30 Monogram – wie neu" || sp.Price != 1299 || sp.Currency != "EUR" || sp.Seller != "taschen_queen" ||
		!strings.Contains(sp.Desc, "Original mit Rechnung, Versand möglich.") ||
		!slices.Equal(sp.ImageURLs, []string{f.Srv.URL + "/img/2871-a.jpg", "https://cdn.markt.example/2871-b.jpg"}) {
		t.Errorf("first listing %#v", sp)
	}
	nf := res.Listings[1]
	if nf.URL != "https://markt.example/anzeige/2870-neverfull?ref=list" || nf.Price != 45 || nf.Currency != "EUR" ||
		nf.Seller != host || !slices.Equal(nf.ImageURLs, []string{f.Srv.URL + "/img/2870@1x.jpg"}) {
		t.Errorf("second listing %#v", nf)
	}
	kp := res.Listings[2]
	if kp.Title != "Keepall 45 Bandoulière" || kp.Price != 1150.5 || kp.Currency != "USD" || kp.Seller != "bags4u" || len(kp.ImageURLs) != 0 {
		t.Errorf("page 2 listing %#v", kp)
	}
	want := fmt.Sprintf(`["%[1]s/anzeige/2871-speedy-30","https://markt.example/anzeige/2870-neverfull?ref=list","%[1]s/anzeige/2866-keepall"]`, f.Srv.URL)
	if res.State != want {
		t.Errorf("state %s, want %s", res.State, want)
	}

	again, err := c.Crawl(context.Background(), f.source(), res.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Listings) != 0 || again.State != res.State {
		t.Errorf("second crawl: %d listings, state %s", len(again.Listings), again.State)
	}
	// A state from before the Keepall was listed: only it is new, and
	// the older ids stay in the state after this crawl's.
	older := fmt.Sprintf(`["%s/anzeige/2871-speedy-30","https://markt.example/anzeige/2870-neverfull?ref=list","https://markt.example/anzeige/1"]`, f.Srv.URL)
	mid, err := c.Crawl(context.Background(), f.source(), older)
	if err != nil {
		t.Fatal(err)
	}
	if len(mid.Listings) != 1 || mid.Listings[0].Title != "Keepall 45 Bandoulière" || !strings.HasSuffix(mid.State, `,"https://markt.example/anzeige/1"]`) {
		t.Errorf("crawl from an older state: %+v, state %s", mid.Listings, mid.State)
	}
}

func TestCrawlDefaults(t *testing.T) {
	f := newFake(t)
	f.Override = func(w http.ResponseWriter, r *http.Request) bool {
		_, _ = w.Write([]byte(`<html><head><base href="/shop/"></head><body>
			<div class="card"><a href="p/1">Rolex Datejust</a><img src="1.jpg"><b>CHF 1'299.–</b></div>
			<div class="card"><span>Hublot, no link</span><img src="2.png"></div>
			<div class="card"><a href="mailto:x@y.z">mail me</a></div>
			<a rel="next" href="http://evil.example/page2">next</a></body></html>`))
		return true
	}
	src := f.source()
	src.Query = `{"item":".card","next":"a[rel=next]"}`
	res, err := New(f.Srv.Client(), connector.DefaultConfig()).Crawl(context.Background(), src, "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls.Load() != 1 {
		t.Errorf("%d pages read: a next link off the origin must not be followed", f.Calls.Load())
	}
	if len(res.Listings) != 2 {
		t.Fatalf("%d listings: %+v", len(res.Listings), res.Listings)
	}
	r := res.Listings[0]
	if r.Title != "Rolex Datejust" || r.URL != f.Srv.URL+"/shop/p/1" || !slices.Equal(r.ImageURLs, []string{f.Srv.URL + "/shop/1.jpg"}) || r.Price != 0 {
		t.Errorf("default selectors %#v", r)
	}
	// The mailto card has a title but no http link; the second has neither.
	if m := res.Listings[1]; m.Title != "mail me" || m.URL != "" || !strings.HasPrefix(m.ExternalID, "sha256:") {
		t.Errorf("linkless card %#v", m)
	}
}

func TestCrawlErrors(t *testing.T) {
	cases := map[string]connectortest.ErrorCase{
		"bad url":          {URL: "file:///etc/passwd", Want: connector.ErrBadSource},
		"query not json":   {Query: ".ad-item", Want: connector.ErrBadSource},
		"no item":          {Query: `{"title":"h2"}`, Want: connector.ErrBadSource},
		"unknown key":      {Query: `{"item":"li","titel":"h2"}`, Want: connector.ErrBadSource},
		"bad selector":     {Query: `{"item":"li[","title":"h2"}`, Want: connector.ErrBadSource},
		"bad sub-selector": {Query: `{"item":"li","price":":nth-child(x)"}`, Want: connector.ErrBadSource},
		"bad state":        {State: `{"a":1}`, Answer: "<html></html>"},
		"forbidden":        {Status: 403, Answer: "<h1>Access denied</h1>", WantType: new(*connector.StatusError)},
		"not html":         {Header: map[string]string{"Content-Type": "application/pdf"}, Answer: "%PDF-1.7", Want: connector.ErrBadResponse},
		"too large":        {Answer: "<html>" + strings.Repeat("x", 3000), MaxBytes: 2048, Want: connector.ErrTooLarge},
	}
	build := func(d connector.Doer, cfg connector.Config) connector.Connector { return New(d, cfg) }
	connectortest.CheckErrors(t, cases, func(ctx context.Context, t *testing.T, c connectortest.ErrorCase) error {
		f := newFake(t)
		return c.Run(ctx, f.Fake, f.source(), connector.DefaultConfig(), build)
	})
}

func TestCrawlStopsAtPageCap(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.Override = func(w http.ResponseWriter, r *http.Request) bool {
		i := n.Add(1)
		fmt.Fprintf(w, `<div class="ad-item"><a class="ad-title" href="/a/%d"><h2>item %d</h2></a></div><a rel="next" href="/taschen?seite=%d">next</a>`, i, i, i+10)
		return true
	}
	cfg := connector.DefaultConfig()
	cfg.MaxPages = 3
	res, err := New(f.Srv.Client(), cfg).Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || len(res.Listings) != 3 {
		t.Errorf("%d pages, %d listings", n.Load(), len(res.Listings))
	}
}

func TestParsePrice(t *testing.T) {
	cases := []struct {
		in  string
		v   float64
		cur string
	}{
		{"1.299,00 €", 1299, "EUR"},
		{"$1,299.99", 1299.99, "USD"},
		{"CHF 1'299.–", 1299, "CHF"},
		{"19,99", 19.99, ""},
		{"£ 1,299", 1299, "GBP"},
		{"VB 45 €", 45, "EUR"},
		{"1 299,50 zł", 1299.5, "PLN"},
		{"usd 12.5", 12.5, "USD"},
		{"Preis auf Anfrage", 0, ""},
		{"", 0, ""},
		{"99999999999999999999 €", 0, ""},
	}
	for _, c := range cases {
		v, cur := ParsePrice(c.in)
		if v != c.v || cur != c.cur {
			t.Errorf("ParsePrice(%q) = %v %q, want %v %q", c.in, v, cur, c.v, c.cur)
		}
	}
}
