package ebay

import (
	"context"
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

func fixture(t *testing.T, name, base string) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(raw), "{{BASE}}", base)
}

// fakeEbay answers like eBay from the fixtures, on the connectors' shared
// fake platform: its Override answers instead of eBay when it returns true.
type fakeEbay struct {
	*connectortest.Fake
	tokens   atomic.Int32
	searches atomic.Int32
}

const (
	wantToken  = "v^1.1#i^1#p^1#r^0#I^3#f^0#t^H4sIAAAAAAAAAOVYa2wUVRTu9k"
	tokenPath  = "/identity/v1/oauth2/token"
	searchPath = "/buy/browse/v1/item_summary/search"
)

func newFakeEbay(t *testing.T) *fakeEbay {
	f := &fakeEbay{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+tokenPath, func(w http.ResponseWriter, r *http.Request) {
		f.tokens.Add(1)
		id, secret, ok := r.BasicAuth()
		_ = r.ParseForm()
		if !ok || id != "app-id" || secret != "app-secret" || r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("scope") != scope {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"client authentication failed"}`))
			return
		}
		_, _ = w.Write([]byte(fixture(t, "token.json", f.Srv.URL)))
	})
	mux.HandleFunc("GET "+searchPath, func(w http.ResponseWriter, r *http.Request) {
		f.searches.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+wantToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(fixture(t, "error_invalid_token.json", f.Srv.URL)))
			return
		}
		q := r.URL.Query()
		if q.Get("q") != "sneakers" || q.Get("sort") != "newlyListed" || r.Header.Get("X-EBAY-C-MARKETPLACE-ID") != "EBAY_DE" {
			t.Errorf("search %s with marketplace %q", r.URL.RawQuery, r.Header.Get("X-EBAY-C-MARKETPLACE-ID"))
		}
		switch q.Get("offset") {
		case "0":
			_, _ = w.Write([]byte(fixture(t, "search_page1.json", f.Srv.URL)))
		case "2":
			_, _ = w.Write([]byte(fixture(t, "search_page2.json", f.Srv.URL)))
		default:
			_, _ = w.Write([]byte(fixture(t, "search_empty.json", f.Srv.URL)))
		}
	})
	f.Fake = connectortest.NewFake(t, mux.ServeHTTP)
	return f
}

func testConfig() connector.Config {
	cfg := connector.DefaultConfig()
	cfg.PageSize = 2
	cfg.EbayClientID, cfg.EbayClientSecret = "app-id", "app-secret"
	return cfg
}

func (f *fakeEbay) source() models.Source {
	return models.Source{ID: "s1", Type: "ebay", URL: f.Srv.URL + "/", Query: " sneakers "}
}

func TestCrawlFixtures(t *testing.T) {
	f := newFakeEbay(t)
	c := New(f.Srv.Client(), testConfig())
	res, err := c.Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Listings) != 3 {
		t.Fatalf("%d listings, want 3: %+v", len(res.Listings), res.Listings)
	}
	first := res.Listings[0]
	want := models.Listing{Platform: "ebay", ExternalID: "v1|110554713301|0", URL: "https://www.ebay.de/itm/110554713301",
		Title: "Running sneakers size 42 NEW", Desc: "Brand new, 1:1 quality.", Price: 29.99, Currency: "EUR",
		Seller: "kicks_outlet_24", ImageURLs: []string{
			"https://i.ebayimg.com/images/g/abcAAOSw1/s-l1600.jpg", "https://i.ebayimg.com/images/g/defAAOSw2/s-l1600.jpg"}}
	if first.Platform != want.Platform || first.ExternalID != want.ExternalID || first.URL != want.URL || first.Title != want.Title ||
		first.Desc != want.Desc || first.Price != want.Price || first.Currency != want.Currency || first.Seller != want.Seller ||
		!slices.Equal(first.ImageURLs, want.ImageURLs) {
		t.Errorf("first listing\n got %+v\nwant %+v", first, want)
	}
	if a := res.Listings[1]; a.Price != 12.5 || a.Currency != "EUR" || len(a.ImageURLs) != 1 {
		t.Errorf("auction listing %+v", a)
	}
	if b := res.Listings[2]; b.Price != 5 || b.Currency != "EUR" || len(b.ImageURLs) != 0 {
		t.Errorf("third listing %+v: javascript: image must be dropped, currency upper-cased", b)
	}
	if f.tokens.Load() != 1 || f.searches.Load() != 2 {
		t.Errorf("%d token calls, %d searches; want 1 and 2", f.tokens.Load(), f.searches.Load())
	}
	if res.State == "" {
		t.Fatal("no state")
	}

	// Nothing new since: the second crawl stops at the first known item and
	// reuses the token.
	again, err := c.Crawl(context.Background(), f.source(), res.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Listings) != 0 || again.State != res.State {
		t.Errorf("second crawl: %d listings, state %q (was %q)", len(again.Listings), again.State, res.State)
	}
	if f.tokens.Load() != 1 || f.searches.Load() != 3 {
		t.Errorf("second crawl: %d token calls, %d searches; want 1 and 3", f.tokens.Load(), f.searches.Load())
	}
}

func TestCrawlIncremental(t *testing.T) {
	f := newFakeEbay(t)
	c := New(f.Srv.Client(), testConfig())
	// The last crawl saw items up to a date between item 1 and item 2.
	state := `{"newest":"2024-06-01T12:00:00Z","ids":["v1|110554713299|0"]}`
	res, err := c.Crawl(context.Background(), f.source(), state)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Listings) != 1 || res.Listings[0].ExternalID != "v1|110554713301|0" {
		t.Fatalf("incremental crawl: %+v", res.Listings)
	}
	if f.searches.Load() != 1 {
		t.Errorf("%d searches; the crawl must stop at the first older item", f.searches.Load())
	}
	if !strings.Contains(res.State, "2024-06-02T07:15:00Z") {
		t.Errorf("state %s", res.State)
	}

	// Items listed at the same instant as the state's newest are told
	// apart by id: item 2 was seen, item 1 is new.
	state = `{"newest":"2024-06-01T09:30:00Z","ids":["v1|110554713302|0"]}`
	res, err = c.Crawl(context.Background(), f.source(), state)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Listings) != 1 || res.Listings[0].ExternalID != "v1|110554713301|0" {
		t.Fatalf("same-instant crawl: %+v", res.Listings)
	}
	if _, err := c.Crawl(context.Background(), f.source(), "{garbage"); err == nil {
		t.Error("bad state accepted")
	}
}

func TestCrawlRenewsRefusedToken(t *testing.T) {
	f := newFakeEbay(t)
	c := New(f.Srv.Client(), testConfig())
	var refused atomic.Bool
	f.Override = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == searchPath && refused.CompareAndSwap(false, true) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(fixture(t, "error_invalid_token.json", f.Srv.URL)))
			return true
		}
		return false
	}
	res, err := c.Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Listings) != 3 || f.tokens.Load() != 2 {
		t.Errorf("%d listings, %d token calls; want 3 and 2", len(res.Listings), f.tokens.Load())
	}
}

func TestCrawlErrors(t *testing.T) {
	item := `{"itemId":"v1|1|0","title":"t","price":{"value":"%s","currency":"EUR"},"itemWebUrl":"https://www.ebay.de/itm/1"}`
	page := func(items ...string) string {
		return `{"href":"x","total":1,"limit":2,"offset":0,"itemSummaries":[` + strings.Join(items, ",") + `]}`
	}
	cases := map[string]connectortest.ErrorCase{
		"no credentials":    {Configure: func(c *connector.Config) { c.EbayClientID, c.EbayClientSecret = "", "" }, Want: connector.ErrNoCredentials},
		"wrong credentials": {Configure: func(c *connector.Config) { c.EbayClientSecret = "nope" }, Want: connector.ErrAuth},
		"no query":          {Query: " ", Want: connector.ErrBadSource},
		"not http":          {URL: "file:///etc", Want: connector.ErrBadSource},
		"token not json":    {Path: tokenPath, Answer: "<html>", Want: connector.ErrBadResponse},
		"token missing":     {Path: tokenPath, Answer: `{"expires_in":7200}`, Want: connector.ErrBadResponse},
		"server error":      {Path: searchPath, Status: 500, Answer: `{"errors":[{"errorId":10001}]}`, WantType: new(*connector.StatusError)},
		"rate limited":      {Path: searchPath, Status: 429, Answer: `{}`, WantType: new(*connector.StatusError)},
		"not json":          {Path: searchPath, Answer: "<html>", Want: connector.ErrBadResponse},
		"wrong shape":       {Path: searchPath, Answer: `{"itemSummaries":{"a":1}}`, Want: connector.ErrBadResponse},
		"missing item id":   {Path: searchPath, Answer: page(`{"title":"x"}`), Want: connector.ErrBadResponse, WantType: new(*connector.FieldError)},
		"missing title":     {Path: searchPath, Answer: page(`{"itemId":"v1|1|0"}`), WantType: new(*connector.FieldError)},
		"comma price":       {Path: searchPath, Answer: page(strings.Replace(item, "%s", "12,99", 1)), Want: connector.ErrBadResponse},
		"negative price":    {Path: searchPath, Answer: page(strings.Replace(item, "%s", "-1", 1)), Want: connector.ErrBadResponse},
		"huge price":        {Path: searchPath, Answer: page(strings.Replace(item, "%s", "1e308", 1)), Want: connector.ErrBadResponse},
		"bad date":          {Path: searchPath, Answer: page(`{"itemId":"v1|1|0","title":"t","itemCreationDate":"yesterday"}`), Want: connector.ErrBadResponse},
		"too large":         {Path: searchPath, Answer: page(`{"itemId":"v1|1|0","title":"` + strings.Repeat("x", 5000) + `"}`), Want: connector.ErrTooLarge},
		"foreign next":      {Path: searchPath, Answer: `{"total":9,"next":"http://169.254.169.254/latest","itemSummaries":[{"itemId":"v1|1|0","title":"t"}]}`, Want: connector.ErrBadResponse},
	}
	connectortest.CheckErrors(t, cases, func(ctx context.Context, t *testing.T, c connectortest.ErrorCase) error {
		f := newFakeEbay(t)
		cfg := testConfig()
		cfg.MaxPageBytes = 4096
		return c.Run(ctx, f.Fake, f.source(), cfg, func(d connector.Doer, cfg connector.Config) connector.Connector { return New(d, cfg) })
	})
}

func TestCrawlStopsAtPageCap(t *testing.T) {
	f := newFakeEbay(t)
	var n atomic.Int32
	f.Override = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != searchPath {
			return false
		}
		i := n.Add(1)
		_, _ = w.Write([]byte(`{"total":100000,"next":"` + f.Srv.URL + `/buy/browse/v1/item_summary/search?q=sneakers&offset=` +
			strings.Repeat("2", int(i%3)+1) + `","itemSummaries":[{"itemId":"v1|` + strings.Repeat("9", int(i)) + `|0","title":"t"}]}`))
		return true
	}
	cfg := testConfig()
	cfg.MaxPages = 4
	res, err := New(f.Srv.Client(), cfg).Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 4 || len(res.Listings) != 4 {
		t.Errorf("%d pages, %d listings; want 4 and 4", n.Load(), len(res.Listings))
	}
}
