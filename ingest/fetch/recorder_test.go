package fetch

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// keep is a Recorder that keeps what it is told, or fails with err.
type keep struct {
	mu  sync.Mutex
	got []*Response
	err error
}

func (k *keep) Record(_ context.Context, r *Response) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return k.err
	}
	k.got = append(k.got, r)
	return nil
}

func (k *keep) all() []*Response {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]*Response(nil), k.got...)
}

func TestRecorderSeesEveryResponseHandedOver(t *testing.T) {
	var tries sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served", r.URL.Path)
		switch r.URL.Path {
		case "/page.json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[{"id":"1234"}]}`)
		case "/flaky":
			if n, _ := tries.LoadOrStore(r.URL.Path, 1); n == 1 {
				tries.Store(r.URL.Path, 2)
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, "busy")
				return
			}
			_, _ = w.Write(pngBytes)
		case "/gone":
			w.WriteHeader(http.StatusGone)
			_, _ = io.WriteString(w, "<html>removed</html>")
		case "/token":
			_, _ = io.WriteString(w, `{"access_token":"secret"}`)
		}
	}))
	defer srv.Close()
	rec := &keep{}
	f := newTestFetcher(t, testConfig(), WithRecorder(rec))
	ctx := context.Background()

	if _, err := f.Get(ctx, srv.URL+"/flaky", 0); err != nil {
		t.Fatal(err)
	}
	var se *StatusError
	if _, err := f.Get(ctx, srv.URL+"/gone", 0); !errors.As(err, &se) {
		t.Fatalf("gone: %v", err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/page.json", nil)
	resp, err := f.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.all()) != 2 {
		t.Fatalf("recorded %d responses before the page body was read, want 2", len(rec.all()))
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	post, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/token", strings.NewReader("grant_type=x"))
	if resp, err := f.Do(post); err == nil {
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}

	got := rec.all()
	if len(got) != 3 {
		t.Fatalf("recorded %d responses, want 3 (retried 503 and POST not recorded)", len(got))
	}
	for i, want := range []struct {
		path   string
		status int
		body   []byte
	}{{"/flaky", 200, pngBytes}, {"/gone", 410, []byte("<html>removed</html>")}, {"/page.json", 200, page}} {
		r := got[i]
		if r.URL != srv.URL+want.path || r.Status != want.status || !bytes.Equal(r.Body, want.body) ||
			r.Header.Get("X-Served") != want.path || r.UserAgent != DefaultUserAgent || r.SHA256 == "" || r.CapturedAt.IsZero() {
			t.Errorf("record %d: %+v, want %s %d %q", i, r, want.path, want.status, want.body)
		}
	}
	if got[2].ContentType != "application/json" {
		t.Errorf("page sniffed as %q", got[2].ContentType)
	}
}

func TestRecorderFailureFailsTheCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "body")
	}))
	defer srv.Close()
	f := newTestFetcher(t, testConfig(), WithRecorder(&keep{err: errors.New("disk full")}))
	if _, err := f.Get(context.Background(), srv.URL, 0); !errors.Is(err, ErrRecord) {
		t.Fatalf("Get: %v, want ErrRecord", err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := f.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, ErrRecord) {
		t.Fatalf("reading the body: %v, want ErrRecord", err)
	}
}
