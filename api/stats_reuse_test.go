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
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewStatsCollector(e.store))
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if want := "counterlens_image_results_reused_total 2"; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("metrics lack %q:\n%s", want, rec.Body.String())
	}
}
