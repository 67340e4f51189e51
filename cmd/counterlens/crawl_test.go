package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"counterlens/api"
	"counterlens/cmd/internal/demo"
	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

// crawlEnv points the crawl command at a clean database and lets it reach
// the local test servers.
func crawlEnv(t *testing.T) *redisq.Store {
	t.Helper()
	url := redistest.URL(t)
	t.Setenv("COUNTERLENS_REDIS_URL", url)
	t.Setenv("COUNTERLENS_ALLOW_PRIVATE_FETCH", "true")
	t.Setenv("COUNTERLENS_RESPECT_ROBOTS", "false")
	t.Setenv("COUNTERLENS_LOG_LEVEL", "warn")
	t.Setenv("COUNTERLENS_DATA_DIR", t.TempDir())
	cfg := redisq.DefaultConfig()
	cfg.URL = url
	store, err := redisq.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// demoMarket serves the demo marketplace until the test ends.
func demoMarket(t *testing.T) *httptest.Server {
	t.Helper()
	market, err := demo.NewMarket(demoData, "")
	if err != nil {
		t.Fatal(err)
	}
	ms := httptest.NewServer(market.Handler())
	t.Cleanup(ms.Close)
	return ms
}

func metrics(t *testing.T, store *redisq.Store) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(api.NewStatsCollector(store))
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

// TestCrawlOnceQueuesAndCountsAndAddsNothingTwice runs "counterlens crawl
// SOURCE --once" against the demo market's Mastodon timeline: the first
// crawl queues every post, the second adds nothing, and /metrics shows what
// the crawls did.
func TestCrawlOnceQueuesAndCountsAndAddsNothingTwice(t *testing.T) {
	ctx := context.Background()
	store := crawlEnv(t)
	ms := demoMarket(t)
	src, err := store.CreateSource(ctx, models.Source{Type: "mastodon", URL: ms.URL, Query: demo.SearchTerm})
	if err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	if code := run(ctx, []string{"crawl", src.ID, "--once"}, &out, &errb); code != 0 {
		t.Fatalf("crawl exited %d:\n%s\n%s", code, out.String(), errb.String())
	}
	qs, _ := store.QueueStats(ctx)
	if qs.Waiting == 0 {
		t.Fatalf("nothing queued:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "found "+itoa(qs.Waiting)+" new or changed listings") ||
		!strings.Contains(out.String(), "new "+itoa(qs.Waiting)+", changed 0, removed 0") || strings.Contains(out.String(), "\r") {
		t.Fatalf("plain output does not tell what was queued (%d):\n%s", qs.Waiting, out.String())
	}

	// The timeline pages the crawl fetched are in each listing's custody
	// log, as when a worker crawls.
	ids, err := store.SourceListings(ctx, src.ID)
	if err != nil || len(ids) == 0 {
		t.Fatalf("source listings %v (%v)", ids, err)
	}
	for _, id := range ids {
		events, err := store.Custody(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(events, func(e evidence.Event) bool {
			return e.Type == evidence.EventCaptured && e.Details["kind"] == evidence.KindPage && strings.HasPrefix(e.Details["url"], ms.URL)
		}) {
			t.Errorf("listing %s: no captured page in its custody log %+v", id, events)
		}
	}

	out.Reset()
	if code := run(ctx, []string{"crawl", "--once", src.ID}, &out, &errb); code != 0 {
		t.Fatalf("second crawl exited %d:\n%s", code, errb.String())
	}
	if again, _ := store.QueueStats(ctx); again != qs || !strings.Contains(out.String(), "found 0, new 0, changed 0, removed 0, queued 0") {
		t.Fatalf("second crawl added something: queue %+v, before %+v:\n%s", again, qs, out.String())
	}

	m := metrics(t, store)
	// Prometheus writes the labels sorted by name.
	labels := `name="",source_id="` + src.ID + `",type="mastodon"`
	outcome := func(o string) string { return `name="",outcome="` + o + `",source_id="` + src.ID + `",type="mastodon"` }
	for _, want := range []string{
		`counterlens_source_listings_total{` + outcome("new") + `} ` + itoa(qs.Waiting),
		`counterlens_source_listings_total{` + outcome("removed") + `} 0`,
		`counterlens_source_consecutive_failures{` + labels + `} 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}
	if strings.Contains(m, `counterlens_source_last_success_timestamp_seconds{`+labels+`} 0`) {
		t.Error("no last success time after two crawls")
	}

	ms.Close() // the platform is down: the crawl fails and says so
	if code := run(ctx, []string{"crawl", src.ID, "--once"}, &out, &errb); code != 1 {
		t.Fatalf("crawl of a dead platform exited %d", code)
	}
	if m := metrics(t, store); !strings.Contains(m, `counterlens_source_consecutive_failures{`+labels+`} 1`) {
		t.Errorf("failure not counted:\n%s", m)
	}
}

func TestCrawlCommandErrors(t *testing.T) {
	crawlEnv(t)
	for name, c := range map[string]struct {
		args []string
		code int
		says string
	}{
		"no source":      {[]string{"crawl", "--once"}, 2, "usage: counterlens crawl"},
		"unknown source": {[]string{"crawl", "nope", "--once"}, 2, `source "nope": no source has this id or name`},
		"two sources":    {[]string{"crawl", "--once", "a", "b"}, 2, "usage: counterlens crawl"},
		"bad flag":       {[]string{"crawl", "x", "--nope"}, 2, "flag provided but not defined"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), c.args, &out, &errb); code != c.code || !strings.Contains(errb.String(), c.says) {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, errb.String())
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestCrawlBySourceNameFromTheSourcesFile: a source declared in
// COUNTERLENS_SOURCES_FILE is stored at start and crawled by its name; a
// bad file stops the command with the problem named.
func TestCrawlBySourceNameFromTheSourcesFile(t *testing.T) {
	ctx := context.Background()
	store := crawlEnv(t)
	ms := demoMarket(t)
	path := filepath.Join(t.TempDir(), "sources.yaml")
	write := func(body string) {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("sources:\n  - name: demo-toots\n    type: mastodon\n    url: " + ms.URL + "\n    query: " + demo.SearchTerm + "\n    interval: 30m\n")
	t.Setenv("COUNTERLENS_SOURCES_FILE", path)
	var out, errb bytes.Buffer
	for range 2 {
		if code := run(ctx, []string{"crawl", "Demo-Toots", "--once"}, &out, &errb); code != 0 {
			t.Fatalf("crawl by name exited %d:\n%s", code, errb.String())
		}
	}
	srcs, _ := store.Sources(ctx)
	if len(srcs) != 1 || srcs[0].Name != "demo-toots" || srcs[0].Interval != "30m" || srcs[0].LastRunAt.IsZero() {
		t.Fatalf("sources: %+v", srcs)
	}
	if !strings.Contains(out.String(), "crawled demo-toots") {
		t.Fatalf("output:\n%s", out.String())
	}

	write("sources:\n  - name: demo-toots\n    type: myspace\n    url: " + ms.URL + "\n")
	errb.Reset()
	if code := run(ctx, []string{"crawl", "demo-toots", "--once"}, &out, &errb); code != 2 ||
		!strings.Contains(errb.String(), `source 1 ("demo-toots"): type "myspace" is not one of`) {
		t.Fatalf("bad sources file: exit %d:\n%s", code, errb.String())
	}
}
