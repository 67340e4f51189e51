package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// robotsSite serves robots.txt with the given status and body, and counts
// every request by path.
func robotsSite(t *testing.T, status *atomic.Int32, body string) (*httptest.Server, *counter) {
	t.Helper()
	hits := &counter{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc(r.URL.Path)
		switch r.URL.Path {
		case "/robots.txt":
			w.WriteHeader(int(status.Load()))
			_, _ = w.Write([]byte(body))
		case "/public/hop":
			http.Redirect(w, r, "/private/page", http.StatusFound)
		case "/robots-hop":
			http.Redirect(w, r, "/robots.txt", http.StatusFound)
		default:
			_, _ = w.Write([]byte("page"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

const robotsRules = `User-agent: *
Disallow: /

User-agent: counterlens
Disallow: /private
Allow: /public
`

func TestRobotsDisallow(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv, hits := robotsSite(t, &status, robotsRules)
	f := newTestFetcher(t, testConfig())
	ctx := context.Background()

	if _, err := f.Get(ctx, srv.URL+"/public/a", 0); err != nil {
		t.Errorf("allowed path: %v", err)
	}
	if _, err := f.Get(ctx, srv.URL+"/other?q=1", 0); err != nil {
		t.Errorf("path without rule for our group: %v", err)
	}
	for _, path := range []string{"/private", "/private/x?y=1", "/public/hop"} {
		if _, err := f.Get(ctx, srv.URL+path, 0); !errors.Is(err, ErrDisallowed) {
			t.Errorf("Get(%s) error = %v, want ErrDisallowed", path, err)
		}
	}
	if n := hits.get("/private") + hits.get("/private/x") + hits.get("/private/page"); n != 0 {
		t.Errorf("disallowed paths were fetched %d times", n)
	}
	if n := hits.get("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once (cached)", n)
	}

	t.Run("another agent falls in the * group", func(t *testing.T) {
		cfg := testConfig()
		cfg.UserAgent = "Mozilla/5.0 (X11; Linux x86_64)"
		f := newTestFetcher(t, cfg)
		if _, err := f.Get(ctx, srv.URL+"/public/a", 0); !errors.Is(err, ErrDisallowed) {
			t.Errorf("error = %v, want ErrDisallowed", err)
		}
	})
	t.Run("switched off", func(t *testing.T) {
		cfg := testConfig()
		cfg.RespectRobots = false
		f := newTestFetcher(t, cfg)
		if _, err := f.Get(ctx, srv.URL+"/private", 0); err != nil {
			t.Errorf("RespectRobots=false: %v", err)
		}
	})
}

func TestRobotsStatusCodes(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		allowed bool
	}{
		{"404 allows all", http.StatusNotFound, true},
		{"403 allows all", http.StatusForbidden, true},
		{"429 disallows all", http.StatusTooManyRequests, false},
		{"500 disallows all", http.StatusInternalServerError, false},
		{"503 disallows all", http.StatusServiceUnavailable, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var status atomic.Int32
			status.Store(int32(tc.status))
			srv, hits := robotsSite(t, &status, "User-agent: *\nDisallow: /\n")
			cfg := testConfig()
			cfg.Retries = 0
			f := newTestFetcher(t, cfg)
			_, err := f.Get(context.Background(), srv.URL+"/page", 0)
			if tc.allowed && err != nil {
				t.Errorf("error = %v, want allowed", err)
			}
			if !tc.allowed && !errors.Is(err, ErrDisallowed) {
				t.Errorf("error = %v, want ErrDisallowed", err)
			}
			if want := map[bool]int{true: 1, false: 0}[tc.allowed]; hits.get("/page") != want {
				t.Errorf("page fetched %d times, want %d", hits.get("/page"), want)
			}
		})
	}
}

func TestRobotsUnreachableDisallows(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	cfg := testConfig()
	cfg.Retries = 0
	f := newTestFetcher(t, cfg)
	if _, err := f.Get(context.Background(), url+"/page", 0); !errors.Is(err, ErrDisallowed) {
		t.Errorf("error = %v, want ErrDisallowed", err)
	}
}

func TestRobotsCacheExpires(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	srv, hits := robotsSite(t, &status, "User-agent: *\nAllow: /\n")
	clock := &fakeClock{t: time.Now()}
	cfg := testConfig()
	cfg.RobotsTTL = time.Hour
	cfg.RobotsErrorTTL = 5 * time.Minute
	f := newTestFetcher(t, cfg, func(o *options) { o.now = clock.now })
	ctx := context.Background()

	if _, err := f.Get(ctx, srv.URL+"/page", 0); !errors.Is(err, ErrDisallowed) {
		t.Fatalf("while robots.txt is 503: %v", err)
	}
	status.Store(http.StatusOK)
	if _, err := f.Get(ctx, srv.URL+"/page", 0); !errors.Is(err, ErrDisallowed) {
		t.Fatalf("within the error TTL: %v", err)
	}
	clock.add(6 * time.Minute)
	if _, err := f.Get(ctx, srv.URL+"/page", 0); err != nil {
		t.Fatalf("after the error TTL: %v", err)
	}
	clock.add(30 * time.Minute)
	if _, err := f.Get(ctx, srv.URL+"/page", 0); err != nil {
		t.Fatal(err)
	}
	if n := hits.get("/robots.txt"); n != 2 {
		t.Errorf("robots.txt fetched %d times, want 2", n)
	}
	clock.add(time.Hour)
	if _, err := f.Get(ctx, srv.URL+"/page", 0); err != nil {
		t.Fatal(err)
	}
	if n := hits.get("/robots.txt"); n != 3 {
		t.Errorf("robots.txt fetched %d times after the TTL, want 3", n)
	}
}

func TestRobotsConcurrentCallersShareOneFetch(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv, hits := robotsSite(t, &status, "User-agent: *\nAllow: /\n")
	f := newTestFetcher(t, testConfig())
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := f.Get(context.Background(), srv.URL+"/page", 0); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := hits.get("/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want 1", n)
	}
}

func TestRobotsCrawlDelaySlowsHost(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv, _ := robotsSite(t, &status, "User-agent: counterlens\nCrawl-delay: 3\n")
	f := newTestFetcher(t, testConfig())
	u, _ := parseTarget(srv.URL + "/page")
	// Only robots.txt is read: the page itself would wait the 3s.
	if err := f.robots.allowed(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	h := f.hosts.get("127.0.0.1")
	defer f.hosts.put(h)
	if got, want := h.limiter.Limit(), rate.Every(3*time.Second); got != want {
		t.Errorf("host rate = %v, want %v", got, want)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
