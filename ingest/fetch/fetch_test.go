package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pngBytes is the start of a PNG: enough for sniffing.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")

func TestGetCapturesResponse(t *testing.T) {
	var gotUA atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.UserAgent())
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, "/img", http.StatusMovedPermanently)
		case "/img":
			w.Header().Set("Content-Type", "text/plain") // lies; the bytes say PNG
			_, _ = w.Write(pngBytes)
		case "/gz":
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write([]byte("<html><body>hello</body></html>"))
			_ = zw.Close()
		}
	}))
	defer srv.Close()
	f := newTestFetcher(t, testConfig())

	before := time.Now().UTC()
	resp, err := f.Get(context.Background(), srv.URL+"/start", 0)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	sum := sha256.Sum256(pngBytes)
	switch {
	case resp.URL != srv.URL+"/img":
		t.Errorf("URL = %q, want the final URL", resp.URL)
	case resp.Status != http.StatusOK:
		t.Errorf("Status = %d", resp.Status)
	case !bytes.Equal(resp.Body, pngBytes):
		t.Errorf("Body = %q", resp.Body)
	case resp.ContentType != "image/png":
		t.Errorf("ContentType = %q, want image/png sniffed from the bytes", resp.ContentType)
	case resp.SHA256 != hex.EncodeToString(sum[:]):
		t.Errorf("SHA256 = %s", resp.SHA256)
	case resp.CapturedAt.Location() != time.UTC || resp.CapturedAt.Before(before):
		t.Errorf("CapturedAt = %v", resp.CapturedAt)
	case resp.Header.Get("Content-Type") != "text/plain":
		t.Errorf("Header not kept: %v", resp.Header)
	case gotUA.Load() != DefaultUserAgent:
		t.Errorf("User-Agent = %q", gotUA.Load())
	}

	resp, err = f.Get(context.Background(), srv.URL+"/gz", 0)
	if err != nil {
		t.Fatalf("Get gzip: %v", err)
	}
	if string(resp.Body) != "<html><body>hello</body></html>" || !strings.HasPrefix(resp.ContentType, "text/html") {
		t.Errorf("gzip: body %q, type %q", resp.Body, resp.ContentType)
	}
}

func TestGetRejectsOtherSchemes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://127.0.0.1/file", http.StatusFound)
	}))
	defer srv.Close()
	f := newTestFetcher(t, testConfig())
	for _, u := range []string{"ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/", srv.URL + "/redirect"} {
		if _, err := f.Get(context.Background(), u, 0); !errors.Is(err, ErrScheme) {
			t.Errorf("Get(%s) error = %v, want ErrScheme", u, err)
		}
	}
}

func TestGetCapsRedirects(t *testing.T) {
	hits := &counter{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc("any")
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		http.Redirect(w, r, fmt.Sprintf("/%d", n+1), http.StatusFound)
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.RespectRobots = false
	cfg.MaxRedirects = 3
	f := newTestFetcher(t, cfg)
	_, err := f.Get(context.Background(), srv.URL+"/0", 0)
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Fatalf("error = %v, want ErrTooManyRedirects", err)
	}
	if n := hits.get("any"); n != 4 { // the request and 3 redirects, not retried
		t.Errorf("server got %d requests, want 4", n)
	}
}

func TestRetriesThenSucceeds(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()

	t.Run("503 twice then 200", func(t *testing.T) {
		calls.Store(0)
		rec := &sleepRecorder{}
		f := newTestFetcher(t, testConfig(), rec.option())
		resp, err := f.Get(context.Background(), srv.URL+"/p", 0)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if string(resp.Body) != "ok" || calls.Load() != 3 {
			t.Errorf("body %q after %d calls, want ok after 3", resp.Body, calls.Load())
		}
		waits := rec.all()
		if len(waits) != 2 {
			t.Fatalf("waits = %v, want 2 backoffs", waits)
		}
		for i, w := range waits {
			if ceiling := testConfig().BackoffBase << i; w < 0 || w >= ceiling {
				t.Errorf("backoff %d = %v, want in [0, %v)", i, w, ceiling)
			}
		}
	})
	t.Run("retries exhausted", func(t *testing.T) {
		calls.Store(0)
		cfg := testConfig()
		cfg.Retries = 1
		f := newTestFetcher(t, cfg)
		_, err := f.Get(context.Background(), srv.URL+"/p", 0)
		var se *StatusError
		if !errors.As(err, &se) || se.Status != http.StatusServiceUnavailable {
			t.Fatalf("error = %v, want *StatusError 503", err)
		}
		if se.Response == nil || !strings.Contains(string(se.Response.Body), "busy") {
			t.Errorf("StatusError keeps no evidence: %+v", se.Response)
		}
		if calls.Load() != 2 {
			t.Errorf("calls = %d, want 2", calls.Load())
		}
	})
}

func TestNotFoundIsNotRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			calls.Add(1)
		}
		http.Error(w, "gone", http.StatusNotFound)
	}))
	defer srv.Close()
	f := newTestFetcher(t, testConfig())
	_, err := f.Get(context.Background(), srv.URL+"/p", 0)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound || calls.Load() != 1 {
		t.Fatalf("error = %v after %d calls, want one 404", err, calls.Load())
	}
}

func TestRetryAfter(t *testing.T) {
	var calls atomic.Int32
	var retryAfter atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", retryAfter.Load().(string))
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.RespectRobots = false
	cfg.MaxRetryAfter = 10 * time.Second

	t.Run("seconds, honoured", func(t *testing.T) {
		calls.Store(0)
		retryAfter.Store("7")
		rec := &sleepRecorder{}
		f := newTestFetcher(t, cfg, rec.option())
		if _, err := f.Get(context.Background(), srv.URL, 0); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if w := rec.all(); len(w) == 0 || w[0] != 7*time.Second {
			t.Errorf("waits = %v, want first 7s", w)
		}
	})
	t.Run("HTTP date, honoured", func(t *testing.T) {
		calls.Store(0)
		retryAfter.Store(time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat))
		rec := &sleepRecorder{}
		f := newTestFetcher(t, cfg, rec.option())
		if _, err := f.Get(context.Background(), srv.URL, 0); err != nil {
			t.Fatalf("Get: %v", err)
		}
		if w := rec.all(); len(w) == 0 || w[0] < 3*time.Second || w[0] > 5*time.Second {
			t.Errorf("waits = %v, want first about 5s", w)
		}
	})
	t.Run("over the cap, given back", func(t *testing.T) {
		calls.Store(0)
		retryAfter.Store("3600")
		rec := &sleepRecorder{}
		f := newTestFetcher(t, cfg, rec.option())
		_, err := f.Get(context.Background(), srv.URL, 0)
		var se *StatusError
		if !errors.As(err, &se) || se.Status != http.StatusTooManyRequests || se.RetryAfter != time.Hour {
			t.Fatalf("error = %v, want 429 with RetryAfter 1h", err)
		}
		if calls.Load() != 1 {
			t.Errorf("calls = %d, want 1", calls.Load())
		}
	})
	t.Run("pauses the host for other callers", func(t *testing.T) {
		calls.Store(0)
		retryAfter.Store("4")
		rec := &sleepRecorder{}
		cfg := cfg
		cfg.Retries = 0
		f := newTestFetcher(t, cfg, rec.option())
		if _, err := f.Get(context.Background(), srv.URL, 0); err == nil {
			t.Fatal("want the 429")
		}
		if _, err := f.Get(context.Background(), srv.URL, 0); err != nil {
			t.Fatalf("second Get: %v", err)
		}
		if w := rec.all(); len(w) != 1 || w[0] < 3*time.Second || w[0] > 4*time.Second {
			t.Errorf("waits = %v, want one host pause of about 4s", w)
		}
	})
}

func TestBackoffIsBoundedFullJitter(t *testing.T) {
	cfg := testConfig()
	cfg.BackoffBase = 100 * time.Millisecond
	cfg.BackoffMax = time.Second
	f := newTestFetcher(t, cfg)
	for attempt, ceiling := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		ceiling *= time.Millisecond
		var top time.Duration
		for range 200 {
			d := f.backoff(attempt)
			if d < 0 || d >= ceiling {
				t.Fatalf("backoff(%d) = %v, want in [0, %v)", attempt, d, ceiling)
			}
			top = max(top, d)
		}
		if top < ceiling/2 {
			t.Errorf("backoff(%d) never above %v in 200 draws: no jitter over the range?", attempt, top)
		}
	}
	if d := f.backoff(100); d < 0 || d >= cfg.BackoffMax {
		t.Errorf("backoff(100) = %v, want in [0, BackoffMax)", d)
	}
}

func TestSizeCap(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			_, _ = w.Write(big)
		case "/stream": // chunked: no Content-Length to pre-check
			for i := 0; i < len(big); i += 100 {
				_, _ = w.Write(big[i : i+100])
				w.(http.Flusher).Flush()
			}
		case "/declared": // announces a huge body, sends a little, then stalls
			w.Header().Set("Content-Length", strconv.Itoa(1<<30))
			_, _ = w.Write(big[:10])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case "/lying": // a gzip body whose decoded size is far over its length
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write(bytes.Repeat(big, 100))
			_ = zw.Close()
		}
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.RespectRobots = false
	cfg.MaxBytes = 999
	f := newTestFetcher(t, cfg)
	ctx := context.Background()
	for _, path := range []string{"/length", "/stream", "/lying", "/declared"} {
		// /declared only ends before the timeout if Content-Length is
		// checked before reading.
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if _, err := f.Get(ctx, srv.URL+path, 0); !errors.Is(err, ErrTooLarge) {
			t.Errorf("Get(%s) with default cap: error = %v, want ErrTooLarge", path, err)
		}
	}
	for _, path := range []string{"/length", "/stream"} {
		resp, err := f.Get(ctx, srv.URL+path, 1000) // exactly the size: fine
		if err != nil || len(resp.Body) != 1000 {
			t.Errorf("Get(%s, 1000): %v", path, err)
		}
	}

	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(dctx, http.MethodGet, srv.URL+"/declared", nil)
	if _, err := f.Do(req); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Do(/declared) error = %v, want ErrTooLarge by Content-Length", err)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/stream", nil)
	resp, err := f.Do(req)
	if err != nil {
		t.Fatalf("Do(/stream): %v", err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if !errors.Is(err, ErrTooLarge) || n != 999 {
		t.Errorf("reading Do(/stream): %d bytes, %v; want 999 and ErrTooLarge", n, err)
	}
}

func TestPerHostConcurrencyCap(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		inFlight.Add(-1)
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.RespectRobots = false
	cfg.PerHostConcurrency = 2
	f := newTestFetcher(t, cfg)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			if _, err := f.Get(context.Background(), srv.URL, 0); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Get: %v", err)
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("peak concurrency = %d, want 2", p)
	}
}

func TestPerHostRate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	cfg := testConfig()
	cfg.RespectRobots = false
	cfg.PerHostRPS = 20 // one request per 50ms
	f := newTestFetcher(t, cfg)
	start := time.Now()
	for range 5 {
		if _, err := f.Get(context.Background(), srv.URL, 0); err != nil {
			t.Fatal(err)
		}
	}
	// A lower bound only: the limiter guarantees the spacing.
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Errorf("5 requests at 20/s took %v, want at least 200ms", d)
	}
}

func TestContextCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hang":
			select {
			case <-r.Context().Done():
			case <-release:
			}
		case "/busy":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := testConfig()
	cfg.RespectRobots = false
	cfg.BackoffBase = time.Hour
	cfg.BackoffMax = time.Hour
	f := newTestFetcher(t, cfg)

	for _, path := range []string{"/hang", "/busy"} {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			done := make(chan error, 1)
			go func() {
				_, err := f.Get(ctx, srv.URL+path, 0)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("error = %v, want context.Canceled", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Get did not return after cancel")
			}
		})
	}
}

func TestDo(t *testing.T) {
	hits := &counter{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc(r.Method + " " + r.URL.Path)
		switch r.URL.Path {
		case "/token":
			body, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s|%s", r.UserAgent(), body)
		case "/flaky":
			http.Error(w, "busy", http.StatusBadGateway)
		case "/ua":
			_, _ = io.WriteString(w, r.UserAgent())
		}
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.PerHostConcurrency = 1 // a slot leak would hang the second call
	f := newTestFetcher(t, cfg)
	var doer interface {
		Do(*http.Request) (*http.Response, error)
	} = f

	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/token", strings.NewReader("grant_type=client_credentials"))
		resp, err := doer.Do(req)
		if err != nil {
			cancel()
			t.Fatalf("Do: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if string(body) != DefaultUserAgent+"|grant_type=client_credentials" {
			t.Errorf("body = %q", body)
		}
	}
	if n := hits.get("GET /robots.txt"); n != 0 {
		t.Errorf("Do consulted robots.txt %d times", n)
	}

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/flaky", strings.NewReader("x"))
	resp, err := f.Do(req)
	if err != nil || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("POST /flaky: %v", err)
	}
	resp.Body.Close()
	if n := hits.get("POST /flaky"); n != 1 {
		t.Errorf("POST was sent %d times, want once (not idempotent)", n)
	}
	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/flaky", nil)
	resp, err = f.Do(req)
	if err != nil || resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("GET /flaky: %v", err)
	}
	resp.Body.Close()
	if n, want := hits.get("GET /flaky"), cfg.Retries+1; n != want {
		t.Errorf("GET was sent %d times, want %d", n, want)
	}

	req, _ = http.NewRequest(http.MethodGet, srv.URL+"/ua", nil)
	req.Header.Set("User-Agent", "custom/1")
	resp, err = f.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "custom/1" {
		t.Errorf("caller's User-Agent replaced by %q", body)
	}
	if req.Header.Get("User-Agent") != "custom/1" || len(req.Header) != 1 {
		t.Errorf("caller's request modified: %v", req.Header)
	}
}

func TestRateWaitPastDeadlineIsDeadlineExceeded(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	cfg := testConfig()
	cfg.RespectRobots = false
	cfg.PerHostRPS = 0.01 // one request per 100s
	f := newTestFetcher(t, cfg)
	if _, err := f.Get(context.Background(), srv.URL, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := f.Get(ctx, srv.URL, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want DeadlineExceeded (not a retryable limiter error)", err)
	}
	if calls.Load() != 1 {
		t.Errorf("server got %d requests, want 1", calls.Load())
	}
}
