package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"counterlens/ingest/alert"
	"counterlens/ingest/fetch"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

// TestWebhookRoutes: who may hold, see and delete which hook, every bad
// input gets its JSON error, and every answer matches openapi.json.
func TestWebhookRoutes(t *testing.T) {
	store := newStore(t, redistest.URL(t))
	_, e := testServer(t, store, &fakeAnalyzer{}, nil)
	v := newValidator(t, loadDoc(t), e)
	nike, puma := e.createBrand("Nike"), e.createBrand("Puma")
	holder := e.createKey(models.RoleRightsHolder, puma.ID)
	mon := e.createKey(models.RoleMonitor)

	var adminHook, holderHook webhookCreated
	v.json(http.MethodPost, "/v1/webhooks", adminKey, `{"url":"https://hooks.example/in","brand_id":"`+nike.ID+`","min_score":0.7}`, 201).json(t, &adminHook)
	if !strings.HasPrefix(adminHook.Secret, "whsec_") || adminHook.BrandID != nike.ID || adminHook.MinScore != 0.7 {
		t.Fatalf("created %+v", adminHook)
	}
	v.json(http.MethodPost, "/v1/webhooks", holder, `{"url":"https://legal.example/alerts"}`, 201).json(t, &holderHook)
	if holderHook.Role != models.RoleRightsHolder || len(holderHook.BrandIDs) != 1 || holderHook.BrandIDs[0] != puma.ID {
		t.Errorf("a rights holder's hook has scope %+v", holderHook.Webhook)
	}
	v.json(http.MethodPost, "/v1/webhooks", holder, `{"url":"https://legal.example/a","brand_id":"`+nike.ID+`"}`, 403)
	v.json(http.MethodPost, "/v1/webhooks", "", `{"url":"https://x.example/"}`, 401)
	for _, body := range []string{
		`{"url":"ftp://x.example/"}`, `{"url":"https://user:pw@x.example/"}`, `{"url":"http://127.0.0.1:9/"}`,
		`{"url":"http://[::1]/"}`, `{"url":"http://10.1.2.3/"}`, `{"url":"http://localhost:8080/"}`,
		`{"url":"https://x.example/","min_score":2}`, `{"url":"https://x.example/","brand_id":"nope"}`, `{"url":`, `{}`,
	} {
		v.json(http.MethodPost, "/v1/webhooks", adminKey, body, 400)
	}

	list := func(key string) []models.Webhook {
		var out struct{ Items []models.Webhook }
		r := v.call(http.MethodGet, "/v1/webhooks", key, "", nil, 200)
		if strings.Contains(string(r.body), adminHook.Secret) || strings.Contains(string(r.body), "secret") {
			t.Errorf("a secret is listed: %s", r.body)
		}
		r.json(t, &out)
		return out.Items
	}
	if n := len(list(adminKey)); n != 2 {
		t.Errorf("an admin sees %d hooks, want 2", n)
	}
	if l := list(holder); len(l) != 1 || l[0].ID != holderHook.ID {
		t.Errorf("the rights holder sees %+v", l)
	}
	if l := list(mon); len(l) != 0 {
		t.Errorf("a monitor sees %+v", l)
	}

	v.call(http.MethodGet, "/v1/webhooks/"+adminHook.ID+"/deliveries", holder, "", nil, 404)
	v.call(http.MethodGet, "/v1/webhooks/"+holderHook.ID+"/deliveries", holder, "", nil, 200)
	v.call(http.MethodGet, "/v1/webhooks/"+holderHook.ID+"/deliveries?limit=0", holder, "", nil, 400)
	v.call(http.MethodGet, "/v1/webhooks/nope/deliveries", adminKey, "", nil, 404)
	v.call(http.MethodDelete, "/v1/webhooks/"+adminHook.ID, holder, "", nil, 404)
	v.call(http.MethodDelete, "/v1/webhooks/"+holderHook.ID, holder, "", nil, 204)
	v.call(http.MethodDelete, "/v1/webhooks/"+holderHook.ID, holder, "", nil, 404)
	v.call(http.MethodDelete, "/v1/webhooks/"+adminHook.ID, adminKey, "", nil, 204)
}

// TestWebhookDeliveryLogServed: a delivery made by the real dispatcher to a
// real receiver is in the hook's log, in openapi.json's shape.
func TestWebhookDeliveryLogServed(t *testing.T) {
	ctx := context.Background()
	store := newStore(t, redistest.URL(t))
	_, e := testServer(t, store, &fakeAnalyzer{}, nil)
	v := newValidator(t, loadDoc(t), e)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer recv.Close()
	h, err := store.CreateWebhook(ctx, models.Webhook{URL: recv.URL, KeyID: "bootstrap", Role: models.RoleAdmin}, "k")
	if err != nil {
		t.Fatal(err)
	}
	var sub submitResponse
	e.json(http.MethodPost, "/v1/listings", adminKey, map[string]any{"title": "x"}).json(t, &sub)
	l, err := store.Listing(ctx, sub.ListingID)
	if err != nil {
		t.Fatal(err)
	}
	l.Analysis = &models.Analysis{Score: 0.8, AnalyzedAt: time.Now().UTC()}
	if err := store.FinishListing(ctx, l, nil); err != nil {
		t.Fatal(err)
	}
	fcfg := fetch.DefaultConfig()
	fcfg.AllowPrivate = true
	f, err := fetch.New(fcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := alert.New(alert.DefaultConfig(), store, f, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Intake(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := d.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	var out struct{ Items []models.WebhookDelivery }
	v.call(http.MethodGet, "/v1/webhooks/"+h.ID+"/deliveries", adminKey, "", nil, 200).json(t, &out)
	if len(out.Items) != 1 || out.Items[0].Status != models.DeliveryDelivered || out.Items[0].ListingID != l.ID {
		t.Fatalf("delivery log %+v", out.Items)
	}
}
