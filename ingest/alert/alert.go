// Package alert sends webhooks for new suspicions: it reads the analysed
// listings that the store announces, matches them against each webhook's
// scope and thresholds, and delivers a signed JSON payload, retried with
// exponential backoff and jitter. Every delivery lives in Redis from the
// moment it is decided, so a dispatcher that stops or dies loses none.
package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"counterlens/ingest/redisq"
	"counterlens/models"
)

// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>" over
// "<t>.<body>", keyed with the webhook's secret.
const SignatureHeader = "X-Counterlens-Signature"

// Sign returns the signature header value of body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature means a signature header does not match the body.
var ErrBadSignature = errors.New("alert: signature does not match")

// Verify checks a signature header against body and secret, as a receiver
// does, and returns the time it was signed.
func Verify(secret, header string, body []byte) (time.Time, error) {
	var ts, sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return time.Time{}, ErrBadSignature
	}
	t := time.Unix(sec, 0)
	want := Sign(secret, t, body)
	if !hmac.Equal([]byte(want), []byte("t="+ts+",v1="+sig)) {
		return t, ErrBadSignature
	}
	return t, nil
}

// Store is the alert state in Redis. *redisq.Store implements it.
type Store interface {
	ClaimAnalysed(ctx context.Context, consumer string, idle, block time.Duration, n int) ([]redisq.Analysed, error)
	Listing(ctx context.Context, id string) (models.Listing, error)
	Brand(ctx context.Context, id string) (models.Brand, error)
	Webhooks(ctx context.Context) ([]models.Webhook, error)
	KeyExists(ctx context.Context, id string) (bool, error)
	QueueDeliveries(ctx context.Context, msgID string, out []redisq.Outgoing) error
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, n int) ([]redisq.Due, error)
	SettleDelivery(ctx context.Context, d models.WebhookDelivery) error
}

// Doer sends a request. *fetch.Fetcher is one: it refuses private and
// loopback targets unless told otherwise.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// Config tunes a [Dispatcher].
type Config struct {
	// Name identifies this process among the stream's consumers.
	Name string
	// PublicURL is the API's base URL, used for the links in a payload;
	// empty gives paths.
	PublicURL string
	// MaxAttempts is how often a delivery is tried before it fails.
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles with every
	// further one, up to MaxBackoff, with jitter.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Timeout bounds one attempt.
	Timeout time.Duration
	// Poll is how often due deliveries are looked for.
	Poll time.Duration
	// Lease is how long a claimed delivery or stream entry is held before
	// another dispatcher may take it over.
	Lease time.Duration
	// Concurrency is how many deliveries are sent at once.
	Concurrency int
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Name: "alerts", MaxAttempts: 10, Backoff: 5 * time.Second, MaxBackoff: time.Hour,
		Timeout: 10 * time.Second, Poll: time.Second, Lease: 2 * time.Minute, Concurrency: 4}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.Name == "" || c.MaxAttempts < 1 || c.Backoff <= 0 || c.MaxBackoff < c.Backoff || c.Timeout <= 0 ||
		c.Poll <= 0 || c.Lease <= c.Timeout || c.Concurrency < 1 {
		return errors.New("alert: name, attempts, backoff, timeout, poll, lease (over the timeout) and concurrency must be set")
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		return errors.New("alert: the public URL must be an http or https URL")
	}
	return nil
}

// Dispatcher decides and sends the alerts.
type Dispatcher struct {
	cfg   Config
	store Store
	http  Doer
	log   *slog.Logger
	now   func() time.Time
}

// New builds a dispatcher.
func New(cfg Config, store Store, client Doer, log *slog.Logger) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Dispatcher{cfg: cfg, store: store, http: client, log: log, now: time.Now}, nil
}

// Run decides and sends alerts until ctx is done. Deliveries in flight at
// that moment are settled on a short fresh context; any not settled come
// due again after their lease.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { d.intake(ctx) })
	wg.Go(func() { d.send(ctx) })
	wg.Wait()
	return nil
}

// pause waits for wait or until ctx is done.
func pause(ctx context.Context, wait time.Duration) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (d *Dispatcher) intake(ctx context.Context) {
	for ctx.Err() == nil {
		if _, err := d.Intake(ctx, time.Second); err != nil && ctx.Err() == nil {
			d.log.Warn("cannot match analysed listings to webhooks", "err", err)
			pause(ctx, d.cfg.Poll)
		}
	}
}

func (d *Dispatcher) send(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := d.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("cannot send due webhook deliveries", "err", err)
		}
		if n == 0 || err != nil {
			pause(ctx, d.cfg.Poll)
		}
	}
}

// Intake matches the next analysed listings (waiting up to block for them)
// against the webhooks and queues the deliveries they trigger. It returns
// how many listings it handled.
func (d *Dispatcher) Intake(ctx context.Context, block time.Duration) (int, error) {
	evs, err := d.store.ClaimAnalysed(ctx, d.cfg.Name, d.cfg.Lease, block, 50)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	hooks, err := d.store.Webhooks(ctx)
	if err != nil {
		return 0, err
	}
	hooks, err = d.liveHooks(ctx, hooks)
	if err != nil {
		return 0, err
	}
	for i, ev := range evs {
		out, err := d.decide(ctx, ev.ListingID, hooks)
		if err != nil {
			return i, fmt.Errorf("listing %s: %w", ev.ListingID, err)
		}
		if err := d.store.QueueDeliveries(ctx, ev.MsgID, out); err != nil {
			return i, err
		}
	}
	return len(evs), nil
}

// liveHooks drops the webhooks whose owning key was revoked.
func (d *Dispatcher) liveHooks(ctx context.Context, hooks []models.Webhook) ([]models.Webhook, error) {
	live := hooks[:0:0]
	for _, h := range hooks {
		ok := h.KeyID == "bootstrap"
		if !ok {
			var err error
			if ok, err = d.store.KeyExists(ctx, h.KeyID); err != nil {
				return nil, err
			}
		}
		if ok {
			live = append(live, h)
		}
	}
	return live, nil
}

// decide returns the deliveries a listing triggers.
func (d *Dispatcher) decide(ctx context.Context, listingID string, hooks []models.Webhook) ([]redisq.Outgoing, error) {
	if len(hooks) == 0 {
		return nil, nil
	}
	l, err := d.store.Listing(ctx, listingID)
	if errors.Is(err, redisq.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if l.Analysis == nil || l.Review.Status() == models.ReviewDismissed {
		return nil, nil
	}
	floors := map[string]float64{}
	for _, b := range l.Analysis.Brands {
		br, err := d.store.Brand(ctx, b.BrandID)
		if err != nil && !errors.Is(err, redisq.ErrNotFound) {
			return nil, err
		}
		if br.Thresholds != nil {
			floors[b.BrandID] = br.Thresholds.MinScore
		}
	}
	var out []redisq.Outgoing
	now := d.now().UTC()
	for _, h := range hooks {
		brands, ok := Matches(h, l, floors)
		if !ok {
			continue
		}
		del := models.WebhookDelivery{ID: redisq.NewID(), WebhookID: h.ID, ListingID: l.ID, Score: l.Analysis.Score,
			Status: models.DeliveryPending, CreatedAt: now, NextAttemptAt: now}
		body, err := json.Marshal(d.payload(h, del, l, brands))
		if err != nil {
			return nil, err
		}
		out = append(out, redisq.Outgoing{Delivery: del, Body: body})
	}
	return out, nil
}

// Matches reports whether analysed listing l triggers webhook h, and which
// of its brands the hook's owner may be told of. floors are the brands'
// thresholds.min_score. A listing triggers a hook when it was analysed
// after the hook was made, scores at least the hook's min_score, and:
// for a brand hook, shows that brand and reaches its threshold; for a key
// hook, shows a brand in the key's scope that reaches its threshold (a
// rights holder), or reaches the thresholds of the brands it shows, if any
// (admin and monitor).
func Matches(h models.Webhook, l models.Listing, floors map[string]float64) ([]models.BrandHit, bool) {
	an := l.Analysis
	if an == nil || an.Score < h.MinScore || an.AnalyzedAt.Before(h.CreatedAt) {
		return nil, false
	}
	var scope []models.BrandHit
	for _, b := range an.Brands {
		switch {
		case h.BrandID != "" && b.BrandID != h.BrandID:
		case h.BrandID == "" && h.Role == models.RoleRightsHolder && !slices.Contains(h.BrandIDs, b.BrandID):
		default:
			scope = append(scope, b)
		}
	}
	reaches := slices.ContainsFunc(scope, func(b models.BrandHit) bool { return an.Score >= floors[b.BrandID] })
	if len(scope) == 0 {
		return scope, h.BrandID == "" && h.Role != models.RoleRightsHolder && len(an.Brands) == 0
	}
	return scope, reaches
}

// Payload is the JSON body of an alert.
type Payload struct {
	Event      string           `json:"event"`
	DeliveryID string           `json:"delivery_id"`
	WebhookID  string           `json:"webhook_id"`
	CreatedAt  time.Time        `json:"created_at"`
	Suspicion  models.Suspicion `json:"suspicion"`
	// Reasons explain the score, strongest first.
	Reasons []string `json:"reasons"`
	Links   Links    `json:"links"`
}

// Links point to the listing, its evidence bundle and the review page.
type Links struct {
	Listing  string `json:"listing"`
	Evidence string `json:"evidence"`
	Review   string `json:"review"`
}

// EventNewSuspicion is the event of every alert payload.
const EventNewSuspicion = "suspicion.new"

func (d *Dispatcher) payload(h models.Webhook, del models.WebhookDelivery, l models.Listing, brands []models.BrandHit) Payload {
	sp := redisq.SuspicionOf(l)
	sp.Brands = brands
	if sp.Brands == nil {
		sp.Brands = []models.BrandHit{}
	}
	base := strings.TrimRight(d.cfg.PublicURL, "/")
	return Payload{Event: EventNewSuspicion, DeliveryID: del.ID, WebhookID: h.ID, CreatedAt: del.CreatedAt,
		Suspicion: sp, Reasons: sp.Reasons, Links: Links{
			Listing: base + "/v1/listings/" + l.ID, Evidence: base + "/v1/listings/" + l.ID + "/evidence", Review: base + "/",
		}}
}

// SendDue attempts the deliveries that are due and returns how many.
func (d *Dispatcher) SendDue(ctx context.Context) (int, error) {
	due, err := d.store.ClaimDue(ctx, d.now(), d.cfg.Lease, d.cfg.Concurrency*4)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	sem := make(chan struct{}, d.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, du := range due {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d.attempt(ctx, du)
		})
	}
	wg.Wait()
	return len(due), nil
}

// attempt sends one delivery and records the outcome.
func (d *Dispatcher) attempt(ctx context.Context, du redisq.Due) {
	del := du.Delivery
	log := d.log.With("delivery_id", del.ID, "webhook_id", del.WebhookID, "listing_id", del.ListingID)
	if du.Hook == nil || du.Body == nil {
		del.Status, del.LastError, del.NextAttemptAt = models.DeliveryFailed, "the webhook was deleted", time.Time{}
	} else {
		start := d.now()
		status, err := d.post(ctx, du)
		del.Attempts++
		del.HTTPStatus, del.DurationMS = status, d.now().Sub(start).Milliseconds()
		switch {
		case err == nil:
			del.Status, del.DeliveredAt, del.NextAttemptAt = models.DeliveryDelivered, d.now().UTC(), time.Time{}
		case ctx.Err() != nil:
			return // shutting down: the lease runs out and it comes due again
		case del.Attempts >= d.cfg.MaxAttempts:
			del.Status, del.LastError, del.NextAttemptAt = models.DeliveryFailed, err.Error(), time.Time{}
			log.Warn("webhook delivery failed for good", "attempts", del.Attempts, "err", err)
		default:
			del.LastError, del.NextAttemptAt = err.Error(), d.now().Add(d.backoff(del.Attempts)).UTC()
			log.Info("webhook delivery failed; will retry", "attempts", del.Attempts, "next", del.NextAttemptAt, "err", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := d.store.SettleDelivery(sctx, del); err != nil {
		log.Error("cannot record webhook delivery; it is retried after its lease", "err", err)
	}
}

// backoff is the wait after the n-th failed attempt: Backoff doubled per
// earlier failure, capped at MaxBackoff, then jittered into [d/2, d].
func (d *Dispatcher) backoff(n int) time.Duration {
	wait := d.cfg.MaxBackoff
	if n-1 < 40 {
		wait = min(d.cfg.Backoff<<(n-1), d.cfg.MaxBackoff)
	}
	if wait <= 0 {
		wait = d.cfg.MaxBackoff
	}
	return wait/2 + rand.N(wait/2+1)
}

// post sends the payload once: a 2xx answer delivers it.
func (d *Dispatcher) post(ctx context.Context, du redisq.Due) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, du.Hook.URL, bytes.NewReader(du.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(du.Secret, d.now(), du.Body))
	req.Header.Set("X-Counterlens-Event", EventNewSuspicion)
	req.Header.Set("X-Counterlens-Delivery", du.Delivery.ID)
	res, err := d.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	return res.StatusCode, nil
}
