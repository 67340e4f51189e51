package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"counterlens/ingest/crawl"
	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

// newPolicyEnv is the real handler on a fresh real Redis database with every
// policy part plugged in (rate limiter, audit log, official photos); change
// adjusts the server before it starts.
func newPolicyEnv(t *testing.T, change func(*Server)) *env {
	t.Helper()
	return newPolicyEnvOn(t, newStore(t, redistest.URL(t)), change)
}

// newPolicyEnvOn is [newPolicyEnv] on a given store, so that two servers can
// share one Redis as two serve processes do.
func newPolicyEnvOn(t *testing.T, store *redisq.Store, change func(*Server)) *env {
	t.Helper()
	acfg := DefaultConfig()
	acfg.AdminKey = adminKey
	acfg.MaxImageBytes = 2 << 20
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cr := &crawl.Crawler{Cfg: crawl.DefaultConfig(), Store: store, Log: log,
		Crawl: func(ctx context.Context, src models.Source, state string) ([]models.Listing, string, error) {
			return nil, state, nil
		}}
	an := &fakeAnalyzer{}
	s := &Server{Cfg: acfg, Keys: store, Brands: store, Listings: store, Sources: store, Crawler: cr,
		Analyzer: an, Health: store, Log: log, Connectors: []string{"ebay"}, Limiter: store, Audit: store, Photos: store}
	if change != nil {
		change(s)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: store, an: an}
}

// call makes a request and returns the whole answer, headers included.
func (e *env) call(method, path, key string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
