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
