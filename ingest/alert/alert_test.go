package alert

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"counterlens/ingest/fetch"
	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

func newStore(t *testing.T) *redisq.Store {
	t.Helper()
	cfg := redisq.DefaultConfig()
	cfg.URL = redistest.URL(t)
	s, err := redisq.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// client is the real fetcher, with its address guard.
func client(t *testing.T, allowPrivate bool) *fetch.Fetcher {
	t.Helper()
	cfg := fetch.DefaultConfig()
	cfg.AllowPrivate = allowPrivate
	f, err := fetch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

func dispatcher(t *testing.T, name string, store Store, doer Doer, attempts int) *Dispatcher {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Name, cfg.MaxAttempts, cfg.PublicURL = name, attempts, "https://counterlens.example"
	cfg.Backoff, cfg.MaxBackoff, cfg.Poll, cfg.Timeout, cfg.Lease = 20*time.Millisecond, 80*time.Millisecond, 10*time.Millisecond, 2*time.Second, 3*time.Second
	d, err := New(cfg, store, doer, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// receiver is a real HTTP receiver that answers codes in turn (200 once
// they run out) and keeps what it got.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	codes  []int
	bodies [][]byte
	sigs   []string
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	r := &receiver{codes: codes}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.bodies = append(r.bodies, b)
		r.sigs = append(r.sigs, req.Header.Get(SignatureHeader))
		code := http.StatusOK
		if len(r.codes) > 0 {
			code, r.codes = r.codes[0], r.codes[1:]
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() ([][]byte, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte{}, r.bodies...), append([]string{}, r.sigs...)
}

// analysed stores a listing analysed now with the given score and brands.
func analysed(t *testing.T, s *redisq.Store, ext string, score float64, brands ...models.Brand) models.Listing {
	t.Helper()
	ctx := context.Background()
	sub, err := s.SubmitListing(ctx, models.Listing{Platform: "ebay", ExternalID: ext, Title: "listing " + ext})
	if err != nil {
		t.Fatal(err)
	}
	l := sub.Listing
	l.Status = models.StatusAnalyzed
	an := &models.Analysis{Score: score, Reasons: []string{"reason of " + ext}, Brands: []models.BrandHit{}, AnalyzedAt: time.Now().UTC()}
	for _, b := range brands {
		an.Brands = append(an.Brands, models.BrandHit{BrandID: b.ID, Name: b.Name, Confidence: 0.9})
	}
	l.Analysis = an
	if err := s.FinishListing(ctx, l, nil); err != nil {
		t.Fatal(err)
	}
	return l
}

func brand(t *testing.T, s *redisq.Store, name string, floor float64) models.Brand {
	t.Helper()
	b := models.Brand{Name: name}
	if floor > 0 {
		b.Thresholds = &models.Thresholds{MinScore: floor}
	}
	b, err := s.CreateBrand(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hook(t *testing.T, s *redisq.Store, h models.Webhook, secret string) models.Webhook {
	t.Helper()
	if h.KeyID == "" {
		h.KeyID, h.Role = "bootstrap", models.RoleAdmin
	}
	h, err := s.CreateWebhook(context.Background(), h, secret)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// settle runs intake and sending until the webhook's deliveries are all
// settled (or the bound runs out) and returns its log.
func settle(t *testing.T, d *Dispatcher, s *redisq.Store, hookID string, want int) []models.WebhookDelivery {
	t.Helper()
	ctx := context.Background()
	for range 500 {
		if _, err := d.Intake(ctx, 10*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if _, err := d.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		log, err := s.Deliveries(ctx, hookID, 100)
		if err != nil {
			t.Fatal(err)
		}
		done := len(log) >= want
		for _, dl := range log {
			done = done && dl.Status != models.DeliveryPending
		}
		if done {
			return log
		}
		time.Sleep(10 * time.Millisecond)
	}
	log, _ := s.Deliveries(ctx, hookID, 100)
	t.Fatalf("deliveries of %s did not settle: %+v", hookID, log)
	return nil
}

// TestSignedAlertOncePerListing: a suspicion over the hook's min_score
// reaches a real receiver once, signed with the hook's secret; one under it
// does not; the delivery log has the outcome.
func TestSignedAlertOncePerListing(t *testing.T) {
	s := newStore(t)
	recv := newReceiver(t)
	nike := brand(t, s, "Nike", 0)
	h := hook(t, s, models.Webhook{URL: recv.URL + "/hook", BrandID: nike.ID, MinScore: 0.5}, "s3cret")
	d := dispatcher(t, "a", s, client(t, true), 3)

	hit := analysed(t, s, "1", 0.9, nike)
	analysed(t, s, "2", 0.3, nike)
	log := settle(t, d, s, h.ID, 1)
	if len(log) != 1 || log[0].Status != models.DeliveryDelivered || log[0].Attempts != 1 || log[0].HTTPStatus != 200 ||
		log[0].ListingID != hit.ID || log[0].DeliveredAt.IsZero() {
		t.Fatalf("delivery log %+v", log)
	}
	bodies, sigs := recv.got()
	if len(bodies) != 1 {
		t.Fatalf("receiver got %d posts", len(bodies))
	}
	if _, err := Verify("s3cret", sigs[0], bodies[0]); err != nil {
		t.Errorf("signature %q does not verify: %v", sigs[0], err)
	}
	if _, err := Verify("other", sigs[0], bodies[0]); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a wrong secret verifies: %v", err)
	}
	if _, err := Verify("s3cret", sigs[0], append(bodies[0], ' ')); !errors.Is(err, ErrBadSignature) {
		t.Errorf("an altered body verifies: %v", err)
	}
	var p Payload
	if err := json.Unmarshal(bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Event != EventNewSuspicion || p.Suspicion.ListingID != hit.ID || p.Suspicion.Score != 0.9 || p.Reasons[0] != "reason of 1" ||
		p.Links.Evidence != "https://counterlens.example/v1/listings/"+hit.ID+"/evidence" || p.DeliveryID != log[0].ID {
		t.Errorf("payload %s", bodies[0])
	}

	// Analysed again: the hook was told of this listing already.
	if err := s.FinishListing(context.Background(), hit, nil); err != nil {
		t.Fatal(err)
	}
	settle(t, d, s, h.ID, 1)
	if b, _ := recv.got(); len(b) != 1 {
		t.Errorf("a re-analysis sent the alert again: %d posts", len(b))
	}
}

// TestFailingReceiverSucceedsOnRetry: two failures, then success.
func TestFailingReceiverSucceedsOnRetry(t *testing.T) {
	s := newStore(t)
	recv := newReceiver(t, 503, 500)
	h := hook(t, s, models.Webhook{URL: recv.URL, MinScore: 0.1}, "k")
	d := dispatcher(t, "a", s, client(t, true), 5)
	analysed(t, s, "1", 0.8)
	log := settle(t, d, s, h.ID, 1)
	if log[0].Status != models.DeliveryDelivered || log[0].Attempts != 3 || !strings.Contains(log[0].LastError, "500") {
		t.Fatalf("delivery %+v, want delivered at the third attempt after a 500", log[0])
	}
	bodies, sigs := recv.got()
	for i := range bodies {
		if _, err := Verify("k", sigs[i], bodies[i]); err != nil || string(bodies[i]) != string(bodies[0]) {
			t.Errorf("attempt %d: signature %v, same body %v", i+1, err, string(bodies[i]) == string(bodies[0]))
		}
	}
	// A receiver that never succeeds: the delivery fails after MaxAttempts.
	down := newReceiver(t, 500, 500, 500, 500)
	h2 := hook(t, s, models.Webhook{URL: down.URL, MinScore: 0.1}, "k")
	analysed(t, s, "2", 0.8)
	log = settle(t, dispatcher(t, "b", s, client(t, true), 2), s, h2.ID, 1)
	if log[0].Status != models.DeliveryFailed || log[0].Attempts != 2 || log[0].HTTPStatus != 500 {
		t.Fatalf("delivery %+v, want failed after 2 attempts", log[0])
	}
}

// TestDeliveriesSurviveARestart: a dispatcher stops with a delivery still
// failing; another one, started later, delivers it.
func TestDeliveriesSurviveARestart(t *testing.T) {
	s := newStore(t)
	var ok atomic.Bool
	var posts atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		if !ok.Load() {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer recv.Close()
	h := hook(t, s, models.Webhook{URL: recv.URL, MinScore: 0.1}, "k")
	analysed(t, s, "1", 0.7) // announced while no dispatcher runs

	ctx, cancel := context.WithCancel(context.Background())
	d1 := dispatcher(t, "first", s, client(t, true), 10)
	done := make(chan error, 1)
	go func() { done <- d1.Run(ctx) }()
	for i := 0; posts.Load() == 0; i++ {
		if i > 1000 {
			t.Fatal("the first dispatcher never tried")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ok.Store(true)
	log := settle(t, dispatcher(t, "second", s, client(t, true), 10), s, h.ID, 1)
	if log[0].Status != models.DeliveryDelivered || log[0].Attempts < 2 {
		t.Fatalf("after the restart: %+v", log[0])
	}
}

// TestPrivateTargetsRefused: without COUNTERLENS_ALLOW_PRIVATE_FETCH the
// fetcher's guard refuses a loopback receiver.
func TestPrivateTargetsRefused(t *testing.T) {
	s := newStore(t)
	recv := newReceiver(t)
	h := hook(t, s, models.Webhook{URL: recv.URL, MinScore: 0.1}, "k")
	analysed(t, s, "1", 0.7)
	log := settle(t, dispatcher(t, "a", s, client(t, false), 1), s, h.ID, 1)
	if log[0].Status != models.DeliveryFailed || !strings.Contains(log[0].LastError, "blocked") {
		t.Fatalf("delivery to loopback: %+v", log[0])
	}
	if b, _ := recv.got(); len(b) != 0 {
		t.Fatalf("the loopback receiver was reached")
	}
}

// TestScopeRules: which listing triggers which hook.
func TestScopeRules(t *testing.T) {
	now := time.Now()
	nike, puma := models.BrandHit{BrandID: "nike", Name: "Nike"}, models.BrandHit{BrandID: "puma", Name: "Puma"}
	listing := func(score float64, brands ...models.BrandHit) models.Listing {
		return models.Listing{Analysis: &models.Analysis{Score: score, Brands: brands, AnalyzedAt: now}}
	}
	holder := models.Webhook{Role: models.RoleRightsHolder, BrandIDs: []string{"puma"}, MinScore: 0.5, CreatedAt: now.Add(-time.Minute)}
	monitor := models.Webhook{Role: models.RoleMonitor, MinScore: 0.5, CreatedAt: now.Add(-time.Minute)}
	brandHook := models.Webhook{Role: models.RoleRightsHolder, BrandIDs: []string{"nike"}, BrandID: "nike", CreatedAt: now.Add(-time.Minute)}
	late := monitor
	late.CreatedAt = now.Add(time.Minute)
	for name, tc := range map[string]struct {
		h      models.Webhook
		l      models.Listing
		floors map[string]float64
		want   bool
		brands int
	}{
		"holder, other brand":            {holder, listing(0.9, nike), nil, false, 0},
		"holder, own brand among others": {holder, listing(0.9, nike, puma), nil, true, 1},
		"holder, under min_score":        {holder, listing(0.4, puma), nil, false, 0},
		"holder, under brand threshold":  {holder, listing(0.9, puma), map[string]float64{"puma": 0.95}, false, 0},
		"holder, no brand":               {holder, listing(0.9), nil, false, 0},
		"monitor, no brand":              {monitor, listing(0.9), nil, true, 0},
		"monitor, two brands":            {monitor, listing(0.9, nike, puma), nil, true, 2},
		"monitor, under both thresholds": {monitor, listing(0.9, nike, puma), map[string]float64{"nike": 0.95, "puma": 0.99}, false, 0},
		"brand hook, its brand":          {brandHook, listing(0.2, nike, puma), nil, true, 1},
		"brand hook, other brand":        {brandHook, listing(0.9, puma), nil, false, 0},
		"analysed before the hook":       {late, listing(0.9), nil, false, 0},
	} {
		t.Run(name, func(t *testing.T) {
			brands, ok := Matches(tc.h, tc.l, tc.floors)
			if ok != tc.want || (ok && len(brands) != tc.brands) {
				t.Errorf("Matches = %v with %d brands %v, want %v with %d", ok, len(brands), brands, tc.want, tc.brands)
			}
		})
	}

	// Through the store: a rights holder's key hook is told only of its own
	// brand, and a revoked key's hook of nothing.
	s := newStore(t)
	recv := newReceiver(t)
	n, p := brand(t, s, "Nike", 0), brand(t, s, "Puma", 0)
	key, err := s.CreateKey(context.Background(), models.APIKey{Name: "puma legal", Role: models.RoleRightsHolder, BrandIDs: []string{p.ID}}, "hash-1")
	if err != nil {
		t.Fatal(err)
	}
	gone, _ := s.CreateKey(context.Background(), models.APIKey{Name: "old", Role: models.RoleMonitor}, "hash-2")
	hh := hook(t, s, models.Webhook{URL: recv.URL, KeyID: key.ID, Role: key.Role, BrandIDs: key.BrandIDs}, "k")
	hg := hook(t, s, models.Webhook{URL: recv.URL, KeyID: gone.ID, Role: gone.Role}, "k")
	if err := s.RevokeKey(context.Background(), gone.ID); err != nil {
		t.Fatal(err)
	}
	analysed(t, s, "1", 0.9, n)
	both := analysed(t, s, "2", 0.9, n, p)
	d := dispatcher(t, "a", s, client(t, true), 2)
	log := settle(t, d, s, hh.ID, 1)
	if len(log) != 1 || log[0].ListingID != both.ID {
		t.Fatalf("the Puma holder's hook got %+v, want only listing 2", log)
	}
	bodies, _ := recv.got()
	var pl Payload
	if err := json.Unmarshal(bodies[0], &pl); err != nil {
		t.Fatal(err)
	}
	if len(pl.Suspicion.Brands) != 1 || pl.Suspicion.Brands[0].BrandID != p.ID {
		t.Errorf("the Puma holder was told of brands %+v", pl.Suspicion.Brands)
	}
	if l, _ := s.Deliveries(context.Background(), hg.ID, 10); len(l) != 0 {
		t.Errorf("a revoked key's hook got %+v", l)
	}
}
