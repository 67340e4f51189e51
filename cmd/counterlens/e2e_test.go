package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"counterlens/cmd/internal/demo"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func TestMain(m *testing.M) {
	childMain() // a test's child process (see worker_kill_test.go) never returns
	os.Exit(redistest.Main(m))
}

const (
	testAdminKey = "e2e-admin-key-0123456789"
	demoData     = "../../testdata/demo"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// stack runs serve (and optionally a worker) as the binary would, against a
// clean database of the test redis-server.
type stack struct {
	api  string
	stop func()
}

func startStack(t *testing.T, workers int) stack {
	t.Helper()
	addr := freeAddr(t)
	t.Setenv("COUNTERLENS_REDIS_URL", redistest.URL(t))
	t.Setenv("COUNTERLENS_ADMIN_KEY", testAdminKey)
	t.Setenv("COUNTERLENS_ALLOW_PRIVATE_FETCH", "true")
	t.Setenv("COUNTERLENS_RESPECT_ROBOTS", "false")
	t.Setenv("COUNTERLENS_DATA_DIR", t.TempDir())
	t.Setenv("COUNTERLENS_ADDR", addr)
	t.Setenv("COUNTERLENS_LOG_LEVEL", "warn")
	t.Setenv("COUNTERLENS_EBAY_CLIENT_ID", "demo") // the demo market accepts any pair
	t.Setenv("COUNTERLENS_EBAY_CLIENT_SECRET", "demo")
	ctx, cancel := context.WithCancel(context.Background())
	var logs lockedBuffer
	done := make(chan int, 1+workers)
	go func() { done <- run(ctx, []string{"serve"}, io.Discard, &logs) }()
	for range workers {
		go func() { done <- run(ctx, []string{"worker"}, io.Discard, &logs) }()
	}
	api := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := http.Get(api + "/healthz")
		if err == nil {
			r.Body.Close()
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("a process exited with %d before serving:\n%s", code, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not answer:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		for range 1 + workers {
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("a process exited with %d at shutdown", code)
				}
			case <-time.After(60 * time.Second):
				t.Errorf("a process did not stop within 60s")
			}
		}
		if t.Failed() {
			t.Logf("process logs:\n%s", logs.String())
		}
	}
	t.Cleanup(stop)
	return stack{api: api, stop: stop}
}

// lockedBuffer collects the logs of processes running concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func call(t *testing.T, method, url, contentType string, body io.Reader, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, b)
		}
	}
	if res.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, url, res.StatusCode, b)
	}
	return res.StatusCode
}

type demoListing struct {
	Platform   string   `json:"platform"`
	ExternalID string   `json:"external_id"`
	Title      string   `json:"title"`
	Expect     string   `json:"expect"`
	Brands     []string `json:"brands"`
	Images     []string `json:"images"`
}

// TestDemoEndToEnd drives the demo the way make run does: demo marketplace,
// API, worker, real Redis, tesseract and OpenCV. Listings with a registered
// mark and risk text must rank above the clean ones.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test loads OpenCV and tesseract")
	}
	st := startStack(t, 1)
	market, err := demo.NewMarket(demoData, "")
	if err != nil {
		t.Fatal(err)
	}
	ms := httptest.NewServer(market.Handler())
	defer ms.Close()

	var out bytes.Buffer
	err = demo.Seed(context.Background(), demo.SeedConfig{APIURL: st.api, AdminKey: testAdminKey,
		MarketURL: ms.URL, DataDir: demoData, Wait: 3 * time.Minute, Top: 10}, &out)
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	t.Logf("demo output:\n%s", out.String())

	raw, err := os.ReadFile(filepath.Join(demoData, "listings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want []demoListing
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Items []models.Suspicion `json:"items"`
	}
	if code := call(t, http.MethodGet, st.api+"/v1/suspicions?limit=500", "", nil, &page); code != 200 {
		t.Fatalf("suspicions: %d", code)
	}
	byTitle := map[string]models.Suspicion{}
	for _, s := range page.Items {
		byTitle[s.Title] = s
	}
	var brands struct {
		Items []models.Brand `json:"items"`
	}
	call(t, http.MethodGet, st.api+"/v1/brands", "", nil, &brands)
	brandName := map[string]string{}
	for _, b := range brands.Items {
		brandName[b.ID] = strings.ToLower(strings.ReplaceAll(b.Name, " ", ""))
	}

	maxClean, cleanTitle := -1.0, ""
	var strong []models.Suspicion
	for _, w := range want {
		s, ok := byTitle[w.Title]
		if !ok {
			t.Errorf("demo listing %q was not analysed", w.Title)
			continue
		}
		var l models.Listing
		call(t, http.MethodGet, st.api+"/v1/listings/"+s.ListingID, "", nil, &l)
		if l.Analysis == nil || len(l.Evidence) != len(w.Images) {
			t.Errorf("%q: analysis %v, %d evidence records for %d images", w.Title, l.Analysis != nil, len(l.Evidence), len(w.Images))
			continue
		}
		for _, ev := range l.Evidence {
			if len(ev.SHA256) != 64 || ev.HTTPStatus != 200 || ev.CapturedAt.IsZero() {
				t.Errorf("%q: evidence record %+v", w.Title, ev)
			}
		}
		has := map[models.SignalType]bool{}
		for _, sig := range l.Analysis.Signals {
			has[sig.Type] = true
			if sig.Type == models.SignalLogo && len(w.Brands) == 0 {
				t.Errorf("%q has no brand mark, but %s was detected (%.2f)", w.Title, brandName[sig.BrandID], sig.Confidence)
			}
		}
		t.Logf("%-45q expect=%-10s score=%.3f signals=%v", w.Title, w.Expect, s.Score, keys(has))
		switch {
		case w.Expect == "clean":
			if s.Score > maxClean {
				maxClean, cleanTitle = s.Score, w.Title
			}
		case has[models.SignalLogo] && (has[models.SignalRiskTerm] || has[models.SignalContact]):
			strong = append(strong, s)
		}
	}
	if len(strong) < 3 {
		t.Errorf("only %d demo listings show both a registered mark and risk text; want at least 3", len(strong))
	}
	for _, s := range strong {
		if s.Score <= maxClean {
			t.Errorf("%q (mark and risk text, %.3f) does not rank above clean %q (%.3f)", s.Title, s.Score, cleanTitle, maxClean)
		}
	}
}

func keys(m map[models.SignalType]bool) []string {
	var out []string
	for k := range m {
		out = append(out, string(k))
	}
	return out
}

// TestLogoUploadedIsFoundByTheNextAnalysis: a brand added and a logo uploaded
// through the API are found by the next POST /v1/analyze, without a restart.
func TestLogoUploadedIsFoundByTheNextAnalysis(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV and tesseract")
	}
	st := startStack(t, 0)
	photo, err := os.ReadFile(filepath.Join(demoData, "media", "puma-bag-replica.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	analyze := func() models.Analysis {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("image", "photo.jpg")
		_, _ = fw.Write(photo)
		_ = w.WriteField("title", "bags in stock")
		_ = w.Close()
		var an models.Analysis
		if code := call(t, http.MethodPost, st.api+"/v1/analyze", w.FormDataContentType(), &buf, &an); code != 200 {
			t.Fatalf("analyze: %d", code)
		}
		return an
	}
	for _, s := range analyze().Signals {
		if s.Type == models.SignalLogo {
			t.Fatalf("a logo was found before any was registered: %+v", s)
		}
	}
	var brand models.Brand
	if code := call(t, http.MethodPost, st.api+"/v1/brands", "application/json", strings.NewReader(`{"name":"Puma"}`), &brand); code != 201 {
		t.Fatalf("create brand: %d", code)
	}
	l := uploadLogo(t, st.api, brand.ID, "puma.png")
	an := analyze()
	found := false
	for _, s := range an.Signals {
		if s.Type == models.SignalLogo && s.BrandID == brand.ID && s.LogoID == l.ID && s.BBox != nil && s.BBox.W > 0 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the logo uploaded a moment ago was not found: %+v", an.Signals)
	}
	if len(an.Brands) == 0 || an.Brands[0].BrandID != brand.ID || an.Score <= 0 {
		t.Fatalf("analysis does not name the brand: %+v", an)
	}
}
