package crawl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/shopify"
	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq"
	"counterlens/models"
)

// shop serves a Shopify storefront's products.json from a catalogue the
// test changes between crawls, and a page per product (404 once removed).
type shop struct {
	mu       sync.Mutex
	products map[int64]map[string]any
}

func (s *shop) put(id int64, title, price, updated string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.products[id] = map[string]any{
		"id": id, "title": title, "handle": "item-" + strconv.FormatInt(id, 10), "body_html": "<p>" + title + "</p>",
		"vendor": "acme", "product_type": "Sneakers", "tags": []string{"shoes"},
		"created_at": "2026-11-01T10:00:00-05:00", "published_at": "2026-11-01T10:00:00-05:00", "updated_at": updated,
		"variants": []map[string]any{{"id": id*10 + 1, "price": price}},
		"images":   []map[string]any{{"src": fmt.Sprintf("https://cdn.shop.example/%d.jpg", id)}},
	}
}

func (s *shop) remove(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.products, id)
}

func (s *shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var id int64
	if _, err := fmt.Sscanf(r.URL.Path, "/products/item-%d", &id); err == nil {
		if _, ok := s.products[id]; !ok {
			http.Error(w, "gone", http.StatusNotFound)
			return
		}
		_, _ = io.WriteString(w, "<html>product</html>")
		return
	}
	var page []map[string]any
	if r.URL.Query().Get("page") == "1" {
		for _, p := range s.products {
			page = append(page, p)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"products": append([]map[string]any{}, page...)})
}

func shopCrawler(t *testing.T, snapshot bool) (*Crawler, *redisq.Store, *shop, models.Source) {
	t.Helper()
	c, s, _ := setup(t)
	sh := &shop{products: map[int64]map[string]any{}}
	srv := httptest.NewServer(sh)
	t.Cleanup(srv.Close)
	conn := shopify.New(srv.Client(), connector.DefaultConfig())
	c.Connect = func(ctx context.Context, src models.Source, state string) (connector.Result, error) {
		res, err := conn.Crawl(ctx, src, state)
		if !snapshot {
			res.Present = nil // as an incremental connector, which sees only what is new
		}
		return res, err
	}
	c.Gone = func(ctx context.Context, l models.Listing) (bool, error) {
		return connector.Gone(ctx, srv.Client(), l.URL)
	}
	src, err := s.CreateSource(context.Background(), models.Source{Type: "shopify", URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c, s, sh, src
}

// sourceListings returns the listings of a source by external id.
func sourceListings(t *testing.T, s *redisq.Store, src models.Source) map[string]models.Listing {
	t.Helper()
	ctx := context.Background()
	ids, err := s.SourceListings(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]models.Listing{}
	for ext, id := range ids {
		l, err := s.Listing(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		out[ext] = l
	}
	return out
}

// analyse stands in for the worker: it stores an analysis and an evidence
// record for the listing, as FinishListing does.
func analyse(t *testing.T, s *redisq.Store, l models.Listing, score float64) {
	t.Helper()
	l.Status = models.StatusAnalyzed
	l.Analysis = &models.Analysis{Score: score, AnalyzedAt: time.Now().UTC()}
	l.Evidence = append(l.Evidence, models.Evidence{SHA256: fmt.Sprintf("%064d", len(l.Evidence)+1), URL: l.ImageURLs[0]})
	if err := s.FinishListing(context.Background(), l, nil); err != nil {
		t.Fatal(err)
	}
}

// TestShopCrawledTwiceAddsNothingThenVersionsAndRemovals crawls with the
// real Shopify connector: a second crawl of the same catalogue adds nothing;
// a changed product gets a new version with the old one kept; a product gone
// from the catalogue is marked removed and keeps its analysis, evidence and
// ranking; one that comes back is no longer removed.
func TestShopCrawledTwiceAddsNothingThenVersionsAndRemovals(t *testing.T) {
	ctx := context.Background()
	c, s, sh, src := shopCrawler(t, true)
	sh.put(1, "Air Max", "59.00", "2026-11-02T10:00:00-05:00")
	sh.put(2, "Jordan 1", "89.00", "2026-11-03T10:00:00-05:00")
	sh.put(3, "Dunk Low", "49.00", "2026-11-04T10:00:00-05:00")

	st, err := c.RunOnce(ctx, src.ID)
	if err != nil || st != (Stats{Found: 3, Queued: 3, New: 3}) {
		t.Fatalf("first crawl: %+v %v", st, err)
	}
	for _, l := range sourceListings(t, s, src) {
		analyse(t, s, l, 0.5)
	}
	qs0, _ := s.QueueStats(ctx)
	st, err = c.RunOnce(ctx, src.ID)
	if err != nil || st != (Stats{}) {
		t.Fatalf("second crawl of the same catalogue: %+v %v", st, err)
	}
	if qs, _ := s.QueueStats(ctx); qs != qs0 {
		t.Fatalf("second crawl queued jobs: %+v, before %+v", qs, qs0)
	}
	before := sourceListings(t, s, src)
	for ext, l := range before {
		if l.Version != 1 || !l.RemovedAt.IsZero() || l.Analysis == nil {
			t.Fatalf("listing %s after two crawls: version %d removed %v", ext, l.Version, l.RemovedAt)
		}
	}

	sh.put(2, "Jordan 1 REPLICA", "29.00", "2026-11-05T10:00:00-05:00")
	sh.remove(3)
	st, err = c.RunOnce(ctx, src.ID)
	if err != nil || st != (Stats{Found: 1, Queued: 1, Changed: 1, Removed: 1}) {
		t.Fatalf("crawl after a change and a removal: %+v %v", st, err)
	}
	after := sourceListings(t, s, src)
	changed := after["2"]
	if changed.ID != before["2"].ID || changed.Version != 2 || changed.Title != "Jordan 1 REPLICA" || len(changed.Evidence) != 1 {
		t.Fatalf("changed listing: %+v", changed)
	}
	versions, err := s.ListingVersions(ctx, changed.ID)
	if err != nil || len(versions) != 2 {
		t.Fatalf("versions: %d %v", len(versions), err)
	}
	if v1 := versions[0]; v1.Version != 1 || v1.Title != "Jordan 1" || v1.Price != 89 || v1.Analysis == nil || len(v1.Evidence) != 1 {
		t.Fatalf("first version not kept as it was: %+v", v1)
	}
	if versions[1].Version != 2 || versions[1].Title != "Jordan 1 REPLICA" {
		t.Fatalf("current version: %+v", versions[1])
	}
	gone := after["3"]
	if gone.RemovedAt.IsZero() || gone.Analysis == nil || gone.Analysis.Score != 0.5 || len(gone.Evidence) != 1 {
		t.Fatalf("removed listing lost its history: %+v", gone)
	}
	items, _, err := s.Suspicions(ctx, redisq.SuspicionQuery{Limit: 10})
	if err != nil || len(items) != 3 {
		t.Fatalf("ranking after the removal: %d items, %v", len(items), err)
	}
	if !after["1"].RemovedAt.IsZero() {
		t.Fatal("a listing still in the catalogue was marked removed")
	}
	c.Actor = "crawler-test"
	checkPresence(t, s, gone.ID, "removed", "counterlens crawler", evidence.HowMissingFromSnapshot, src.ID, gone.URL)
	if evs := presenceEvents(t, s, after["1"].ID); len(evs) != 0 {
		t.Fatalf("a listing still in the catalogue has presence events: %+v", evs)
	}

	st, err = c.RunOnce(ctx, src.ID)
	if err != nil || st != (Stats{}) {
		t.Fatalf("crawl with nothing new: %+v %v", st, err)
	}
	sh.put(3, "Dunk Low", "49.00", "2026-11-04T10:00:00-05:00")
	if _, err := c.RunOnce(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	if back := sourceListings(t, s, src)["3"]; !back.RemovedAt.IsZero() || back.Version != 1 {
		t.Fatalf("listing back in the catalogue: removed %v version %d", back.RemovedAt, back.Version)
	}
	checkPresence(t, s, gone.ID, "removed,present_again", "crawler-test", evidence.HowInSnapshot, src.ID, gone.URL)
}

// TestIncrementalSourceRechecksListingPages: a connector that sees only
// what is new cannot tell a removal; the crawler asks the listings' own
// pages, and one answering 404 is marked removed.
func TestIncrementalSourceRechecksListingPages(t *testing.T) {
	ctx := context.Background()
	c, s, sh, src := shopCrawler(t, false)
	c.Cfg.Recheck, c.Cfg.RecheckAfter = 2, 0
	for i := range int64(3) {
		sh.put(i+1, fmt.Sprintf("item %d", i+1), "10.00", fmt.Sprintf("2026-11-0%dT10:00:00-05:00", i+1))
	}
	if st, err := c.RunOnce(ctx, src.ID); err != nil || st.New != 3 || st.Removed != 0 {
		t.Fatalf("first crawl: %+v %v", st, err)
	}
	sh.remove(2)
	c.Cfg.RecheckAfter = time.Hour
	if st, err := c.RunOnce(ctx, src.ID); err != nil || st.Removed != 0 {
		t.Fatalf("listings found a moment ago were re-checked: %+v %v", st, err)
	}
	c.Cfg.RecheckAfter = 0
	removed := 0
	for range 2 { // two listings re-checked per crawl: two crawls check all three
		st, err := c.RunOnce(ctx, src.ID)
		if err != nil || st.Found != 0 {
			t.Fatalf("re-check crawl: %+v %v", st, err)
		}
		removed += st.Removed
	}
	ls := sourceListings(t, s, src)
	if removed != 1 || ls["2"].RemovedAt.IsZero() || !ls["1"].RemovedAt.IsZero() || !ls["3"].RemovedAt.IsZero() {
		t.Fatalf("removed %d; removal marks: 1=%v 2=%v 3=%v", removed, ls["1"].RemovedAt, ls["2"].RemovedAt, ls["3"].RemovedAt)
	}
	if st, _ := c.RunOnce(ctx, src.ID); st.Removed != 0 {
		t.Fatalf("a removal was counted twice: %+v", st)
	}
	checkPresence(t, s, ls["2"].ID, "removed", "counterlens crawler", evidence.HowRecheckGone, src.ID, ls["2"].URL)
}

// presenceEvents returns the "removed" and "present_again" custody events
// of a listing, after checking that its custody chain holds.
func presenceEvents(t *testing.T, s *redisq.Store, id string) []evidence.Event {
	t.Helper()
	evs, err := s.Custody(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if p := evidence.VerifyChain(evs); len(p) > 0 {
		t.Fatalf("custody chain of %s: %v", id, p)
	}
	var out []evidence.Event
	for _, e := range evs {
		if e.Type == evidence.EventRemoved || e.Type == evidence.EventPresentAgain {
			out = append(out, e)
		}
	}
	return out
}

// checkPresence checks that the listing's presence events are of types
// (comma-separated) and that the last was made by actor, found out how
// (any when empty), by a crawl of sourceID, about the listing at url.
func checkPresence(t *testing.T, s *redisq.Store, id, types, actor, how, sourceID, url string) {
	t.Helper()
	evs := presenceEvents(t, s, id)
	var got []string
	for _, e := range evs {
		got = append(got, string(e.Type))
	}
	if strings.Join(got, ",") != types {
		t.Fatalf("presence events of %s: %v, want %s", id, got, types)
	}
	last := evs[len(evs)-1]
	if last.Actor != actor || (how != "" && last.Details[evidence.DetailHow] != how) || last.At.IsZero() ||
		last.Details[evidence.DetailSourceID] != sourceID || last.Details[evidence.DetailURL] != url {
		t.Fatalf("last presence event of %s: %+v", id, last)
	}
}
