package api

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
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
	_, e := newTestServer(t, store, withPolicyParts(store), change)
	return e
}

// call makes a request and returns the whole answer, headers included.
func (e *env) call(method, path, key string) *http.Response {
	e.t.Helper()
	res, err := http.DefaultClient.Do(newRequest(e.t, method, e.srv.URL+path, key, "", nil))
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
