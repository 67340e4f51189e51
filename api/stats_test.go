package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"counterlens/models"
)

func TestMetricsExportTheWorkersCounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sub, err := e.store.SubmitListing(ctx, models.Listing{Platform: "p", ExternalID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := e.store.Claim(ctx, "w", 0)
	l := sub.Listing
	l.Analysis = &models.Analysis{Score: 0.9, Signals: []models.Signal{{Type: models.SignalLogo}}}
	if err := e.store.FinishListing(ctx, l, d); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewStatsCollector(e.store))
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		"counterlens_store_up 1", "counterlens_analyses_total 1",
		`counterlens_signals_total{type="logo"} 1`, `counterlens_queue_jobs{state="pending"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

// scrape serves /metrics of collector c once.
func scrape(c prometheus.Collector) string {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

func TestMetricsCountReusedPictureAnalyses(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.store.SaveImageResult(ctx, "ab", 1, "s", models.ImageReport{SHA256: "ab"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, ok, err := e.store.ImageResult(ctx, "ab", 1, "s"); !ok || err != nil {
			t.Fatalf("stored result not found: %v", err)
		}
	}
	body := scrape(NewStatsCollector(e.store))
	if want := "counterlens_image_results_reused_total 2"; !strings.Contains(body, want) {
		t.Errorf("metrics lack %q:\n%s", want, body)
	}
}
