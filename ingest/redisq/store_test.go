package redisq

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

func newStore(t *testing.T) *Store {
	t.Helper()
	cfg := DefaultConfig()
	cfg.URL = redistest.URL(t)
	cfg.Visibility = time.Second
	cfg.MaxAttempts = 3
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestBrandsAndLogosBumpTheReferenceVersion(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	v0, err := s.RefVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateBrand(ctx, models.Brand{Name: "Nike", Aliases: []string{"swoosh"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateBrand(ctx, models.Brand{Name: "nike"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("second brand with the same name: err = %v, want ErrConflict", err)
	}
	l, err := s.AddLogo(ctx, models.Logo{BrandID: b.ID, SHA256: "abc"}, []byte("png bytes"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddLogo(ctx, models.Logo{BrandID: "nope"}, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("logo of unknown brand: err = %v, want ErrNotFound", err)
	}
	v1, _ := s.RefVersion(ctx)
	if v1 <= v0 {
		t.Fatalf("version did not grow: %d -> %d", v0, v1)
	}
	imgs, err := s.LogoImages(ctx, []string{l.ID, "gone"})
	if err != nil {
		t.Fatal(err)
	}
	if string(imgs[l.ID]) != "png bytes" || len(imgs) != 1 {
		t.Fatalf("LogoImages = %q", imgs)
	}
	if err := s.DeleteLogo(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLogo(ctx, l.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	ls, _ := s.Logos(ctx)
	if len(ls) != 0 {
		t.Fatalf("logos after delete: %v", ls)
	}
	if v2, _ := s.RefVersion(ctx); v2 <= v1 {
		t.Fatalf("delete did not bump version: %d -> %d", v1, v2)
	}
}

func TestKeys(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	k, err := s.CreateKey(ctx, models.APIKey{Name: "acme", Role: models.RoleMonitor}, "h1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.KeyBySecretHash(ctx, "h1")
	if err != nil || got.ID != k.ID || got.Role != models.RoleMonitor {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	if err := s.RevokeKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyBySecretHash(ctx, "h1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoked key still found: %v", err)
	}
	if err := s.RevokeKey(ctx, k.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoking twice: %v", err)
	}
}

func TestSubmitDedupsByPlatformAndExternalID(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	l := models.Listing{Platform: "ebay", ExternalID: "42", Title: "sneakers", ImageURLs: []string{"http://x/1.jpg"}}
	a, err := s.SubmitListing(ctx, l)
	if err != nil || !a.Queued {
		t.Fatalf("first submit: %+v %v", a, err)
	}
	b, err := s.SubmitListing(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if b.Queued || b.Listing.ID != a.Listing.ID {
		t.Fatalf("same listing again was queued or got a new id: %+v", b)
	}
	l.Price = 10
	c, err := s.SubmitListing(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Queued || c.Listing.ID != a.Listing.ID {
		t.Fatalf("changed listing: want queued under the same id, got %+v", c)
	}
	st, err := s.QueueStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Waiting != 2 {
		t.Fatalf("waiting = %d, want 2", st.Waiting)
	}
}

func TestQueueHandsAbandonedJobsToAnotherWorker(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	sub, err := s.SubmitListing(ctx, models.Listing{Platform: "p", Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	d1, err := s.Claim(ctx, "w1", 100*time.Millisecond)
	if err != nil || d1 == nil {
		t.Fatalf("claim: %v %v", d1, err)
	}
	if d1.Job.ListingID != sub.Listing.ID || d1.Deliveries != 1 {
		t.Fatalf("delivery = %+v", d1)
	}
	// w1 dies. Before the visibility timeout nobody else gets the job...
	if d, err := s.Claim(ctx, "w2", 50*time.Millisecond); err != nil || d != nil {
		t.Fatalf("job handed out twice before the timeout: %+v %v", d, err)
	}
	time.Sleep(1100 * time.Millisecond)
	// ...after it, w2 does.
	d2, err := s.Claim(ctx, "w2", 50*time.Millisecond)
	if err != nil || d2 == nil {
		t.Fatalf("abandoned job not reclaimed: %v %v", d2, err)
	}
	if d2.MsgID != d1.MsgID || d2.Deliveries != 2 {
		t.Fatalf("reclaimed = %+v", d2)
	}
	l, _ := s.Listing(ctx, sub.Listing.ID)
	l.Analysis = &models.Analysis{Score: 0.5, Brands: []models.BrandHit{{BrandID: "b1"}}}
	l.Status = models.StatusAnalyzed
	if err := s.FinishListing(ctx, l, d2); err != nil {
		t.Fatal(err)
	}
	st, _ := s.QueueStats(ctx)
	if st.Pending != 0 || st.Waiting != 0 {
		t.Fatalf("after finish: %+v", st)
	}
	time.Sleep(1100 * time.Millisecond)
	if d, err := s.Claim(ctx, "w3", 50*time.Millisecond); err != nil || d != nil {
		t.Fatalf("finished job came back: %+v %v", d, err)
	}
}

func TestDeadLetterAndRequeue(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	sub, _ := s.SubmitListing(ctx, models.Listing{Platform: "p", Title: "t"})
	d, _ := s.Claim(ctx, "w1", 50*time.Millisecond)
	if err := s.Requeue(ctx, d); err != nil {
		t.Fatal(err)
	}
	d2, err := s.Claim(ctx, "w2", 50*time.Millisecond)
	if err != nil || d2 == nil || d2.Job.ListingID != sub.Listing.ID {
		t.Fatalf("requeued job not handed out at once: %+v %v", d2, err)
	}
	if err := s.DeadLetter(ctx, d2, sub.Listing, "cannot fetch"); err != nil {
		t.Fatal(err)
	}
	st, _ := s.QueueStats(ctx)
	if st.Dead != 1 || st.Pending != 0 {
		t.Fatalf("stats = %+v", st)
	}
	l, _ := s.Listing(ctx, sub.Listing.ID)
	if l.Status != models.StatusFailed || l.Error != "cannot fetch" {
		t.Fatalf("listing = %+v", l)
	}
}

func TestSuspicionsRankFilterAndPaginate(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	scores := []float64{0.9, 0.2, 0.5, 0.5, 0.5, 0.7, 0.0}
	for i, sc := range scores {
		platform, brand := "ebay", "b1"
		if i%2 == 1 {
			platform, brand = "mastodon", "b2"
		}
		sub, err := s.SubmitListing(ctx, models.Listing{Platform: platform, ExternalID: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		l := sub.Listing
		l.Analysis = &models.Analysis{Score: sc, Brands: []models.BrandHit{{BrandID: brand}}}
		if err := s.FinishListing(ctx, l, nil); err != nil {
			t.Fatal(err)
		}
	}
	var all []models.Suspicion
	cursor := ""
	for page := 0; page < 10; page++ {
		items, next, err := s.Suspicions(ctx, SuspicionQuery{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, items...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(all) != len(scores) {
		t.Fatalf("paged through %d items, want %d", len(all), len(scores))
	}
	seen := map[string]bool{}
	for i, it := range all {
		if seen[it.ListingID] {
			t.Fatalf("listing %s on two pages", it.ListingID)
		}
		seen[it.ListingID] = true
		if i > 0 && it.Score > all[i-1].Score {
			t.Fatalf("not ranked: %v after %v", it.Score, all[i-1].Score)
		}
	}
	tests := []struct {
		name string
		q    SuspicionQuery
		want int
	}{
		{"min score", SuspicionQuery{MinScore: 0.5}, 5},
		{"brand", SuspicionQuery{BrandID: "b2"}, 3},
		{"platform", SuspicionQuery{Platform: "ebay"}, 4},
		{"brand and platform", SuspicionQuery{BrandID: "b1", Platform: "mastodon"}, 0},
		{"scope of two brands", SuspicionQuery{AnyBrand: []string{"b1", "b2"}, MinScore: 0.6}, 2},
		{"scope of one brand", SuspicionQuery{AnyBrand: []string{"b2"}}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, _, err := s.Suspicions(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tc.want {
				t.Fatalf("got %d items, want %d: %+v", len(items), tc.want, items)
			}
		})
	}
	if _, _, err := s.Suspicions(ctx, SuspicionQuery{Cursor: "%%%"}); !errors.Is(err, ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestUnavailableWhenRedisIsDown(t *testing.T) {
	cfg := DefaultConfig()
	cfg.URL = "redis://127.0.0.1:1/0" // nothing listens on port 1
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Ping = %v, want ErrUnavailable", err)
	}
	if _, err := s.Brands(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Brands = %v, want ErrUnavailable", err)
	}
}

func TestStatsCountEachFinishedJobOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for i := range 3 {
		sub, _ := s.SubmitListing(ctx, models.Listing{Platform: "p", ExternalID: fmt.Sprint(i)})
		d, err := s.Claim(ctx, "w", 50*time.Millisecond)
		if err != nil || d == nil {
			t.Fatalf("claim: %v", err)
		}
		l := sub.Listing
		if i == 2 {
			if err := s.DeadLetter(ctx, d, l, "broken"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		l.Analysis = &models.Analysis{Signals: []models.Signal{{Type: models.SignalLogo}, {Type: models.SignalRiskTerm}, {Type: models.SignalLogo}}}
		if err := s.FinishListing(ctx, l, d); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Analyses != 2 || st.Failures != 1 || st.Signals[models.SignalLogo] != 4 || st.Signals[models.SignalRiskTerm] != 2 || st.Queue.Dead != 1 {
		t.Fatalf("stats %+v", st)
	}
}
