package api

import (
	"net/http"
	"strconv"
	"testing"

	"counterlens/models"
)

// slow is a rate no test can exhaust by waiting: one call in 1000 s.
const slow = 0.001

func (e *env) keyWithLimit(l *models.RateLimit) string {
	e.t.Helper()
	body := map[string]any{"name": "limited", "role": models.RoleMonitor}
	if l != nil {
		body["rate_limit"] = l
	}
	r := e.json(http.MethodPost, "/v1/keys", adminKey, body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create key: %d %s", r.status, r.body)
	}
	var k createKeyResponse
	r.json(e.t, &k)
	if l != nil && (k.RateLimit == nil || k.RateLimit.PerSecond != l.PerSecond) {
		e.t.Fatalf("key answer lacks its rate_limit: %s", r.body)
	}
	return k.Key
}

func header(t *testing.T, res *http.Response, name string) int {
	t.Helper()
	v, err := strconv.Atoi(res.Header.Get(name))
	if err != nil {
		t.Fatalf("%s: %q is not a number", name, res.Header.Get(name))
	}
	return v
}

func TestRateLimitPerKey(t *testing.T) {
	e := newPolicyEnv(t, nil)
	limited := e.keyWithLimit(&models.RateLimit{PerSecond: slow, Burst: 2})
	free := e.keyWithLimit(nil)

	for i, wantRemaining := range []int{1, 0} {
		res := e.call(http.MethodGet, "/v1/suspicions", limited)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("call %d within the burst: %d", i+1, res.StatusCode)
		}
		if got := header(t, res, "X-RateLimit-Remaining"); got != wantRemaining {
			t.Errorf("call %d: X-RateLimit-Remaining %d, want %d", i+1, got, wantRemaining)
		}
		if got := header(t, res, "X-RateLimit-Limit"); got != 2 {
			t.Errorf("X-RateLimit-Limit %d, want the burst 2", got)
		}
	}
	res := e.call(http.MethodGet, "/v1/suspicions", limited)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("call over the limit: %d, want 429", res.StatusCode)
	}
	if ra := header(t, res, "Retry-After"); ra < 1 || ra > 1000 {
		t.Errorf("Retry-After %d, want 1..1000 s for one call in 1000 s", ra)
	}
	if reset := header(t, res, "X-RateLimit-Reset"); reset < 1000 {
		t.Errorf("X-RateLimit-Reset %d, want about 2000 s until the burst is back", reset)
	}
	wantError(t, e.do(http.MethodPost, "/v1/listings", limited, "application/json", nil), 429, typeRateLimited)

	// Other keys have their own budget; the default one is generous.
	for range 20 {
		if res := e.call(http.MethodGet, "/v1/suspicions", free); res.StatusCode != http.StatusOK {
			t.Fatalf("a key without its own limit: %d", res.StatusCode)
		}
	}
	if got := header(t, e.call(http.MethodGet, "/v1/suspicions", free), "X-RateLimit-Limit"); got != DefaultRateLimit().Burst {
		t.Errorf("default X-RateLimit-Limit %d, want %d", got, DefaultRateLimit().Burst)
	}
}

func TestRateLimitDefaultAndBootstrapKey(t *testing.T) {
	e := newPolicyEnv(t, func(s *Server) { s.Cfg.RateLimit = models.RateLimit{PerSecond: slow, Burst: 1} })
	key := e.keyWithLimit(nil)
	if res := e.call(http.MethodGet, "/v1/brands", key); res.StatusCode != http.StatusOK {
		t.Fatalf("first call: %d", res.StatusCode)
	}
	wantError(t, e.do(http.MethodGet, "/v1/brands", key, "", nil), 429, typeRateLimited)
	for i := range 5 {
		res := e.call(http.MethodGet, "/v1/brands", adminKey)
		if res.StatusCode != http.StatusOK || res.Header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("bootstrap admin call %d: %d, X-RateLimit-Limit %q; want 200 and no limit", i, res.StatusCode, res.Header.Get("X-RateLimit-Limit"))
		}
	}
}

// Two serve processes on one Redis share each key's budget.
func TestRateLimitSharedAcrossServers(t *testing.T) {
	a := newPolicyEnv(t, nil)
	b := newPolicyEnvOn(t, a.store, nil)
	key := a.keyWithLimit(&models.RateLimit{PerSecond: slow, Burst: 2})
	if res := a.call(http.MethodGet, "/v1/brands", key); res.StatusCode != http.StatusOK {
		t.Fatalf("first call on a: %d", res.StatusCode)
	}
	if res := b.call(http.MethodGet, "/v1/brands", key); res.StatusCode != http.StatusOK {
		t.Fatalf("second call on b: %d", res.StatusCode)
	}
	for _, e := range []*env{a, b} {
		wantError(t, e.do(http.MethodGet, "/v1/brands", key, "", nil), 429, typeRateLimited)
	}
}

func TestRateLimitValidation(t *testing.T) {
	e := newPolicyEnv(t, nil)
	for name, l := range map[string]map[string]any{
		"zero rate":      {"per_second": 0},
		"negative rate":  {"per_second": -1},
		"huge rate":      {"per_second": 1e9},
		"negative burst": {"per_second": 1, "burst": -1},
		"huge burst":     {"per_second": 1, "burst": 1e8},
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, e.json(http.MethodPost, "/v1/keys", adminKey, map[string]any{"name": "x", "role": "monitor", "rate_limit": l}), 400, typeBadData)
		})
	}
	wantError(t, e.json(http.MethodPost, "/v1/keys", adminKey, map[string]any{"name": "x", "role": "monitor", "rate_limit": "fast"}), 400, typeBadData)
	r := e.json(http.MethodPost, "/v1/keys", adminKey, map[string]any{"name": "x", "role": "monitor", "rate_limit": map[string]any{"per_second": 5}})
	var k createKeyResponse
	r.json(t, &k)
	if k.RateLimit == nil || k.RateLimit.Burst != 10 {
		t.Fatalf("a missing burst is twice the rate: %s", r.body)
	}
	bad := DefaultConfig()
	bad.RateLimit = models.RateLimit{PerSecond: -1}
	if bad.Validate() == nil {
		t.Fatal("a negative default rate passed Validate")
	}
}
