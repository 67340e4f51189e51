package fetch

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// Test-only options, reaching the hooks New keeps for tests.

func withResolver(m map[string][]string) Option {
	return func(o *options) {
		o.resolve = func(_ context.Context, host string) ([]netip.Addr, error) {
			var out []netip.Addr
			for _, s := range m[host] {
				out = append(out, netip.MustParseAddr(s))
			}
			if len(out) == 0 {
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			return out, nil
		}
	}
}

// withPublic treats exactly the given loopback addresses as the public
// internet, so the guard can be tested against local servers.
func withPublic(addrs ...string) Option {
	return func(o *options) {
		o.public = func(a netip.Addr) bool {
			for _, s := range addrs {
				if a.Unmap() == netip.MustParseAddr(s) {
					return true
				}
			}
			return IsPublicAddr(a)
		}
	}
}

// withLoopbackOnly fails the test if anything outside 127.0.0.0/8 is dialled.
func withLoopbackOnly(t *testing.T) Option {
	return func(o *options) {
		d := &net.Dialer{}
		lo := netip.MustParsePrefix("127.0.0.0/8")
		o.dial = func(ctx context.Context, network, address string) (net.Conn, error) {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !lo.Contains(ap.Addr().Unmap()) {
				t.Errorf("dialled %s, outside 127.0.0.0/8", address)
				return nil, net.UnknownNetworkError("refused by test")
			}
			return d.DialContext(ctx, network, address)
		}
	}
}

// sleepRecorder replaces sleeping: it records each wait and returns at once.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) option() Option {
	return func(o *options) {
		o.sleep = func(ctx context.Context, d time.Duration) error {
			s.mu.Lock()
			s.waits = append(s.waits, d)
			s.mu.Unlock()
			return ctx.Err()
		}
	}
}

func (s *sleepRecorder) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// testConfig is fast and lets the fetcher reach httptest's loopback servers.
func testConfig() Config {
	c := DefaultConfig()
	c.AllowPrivate = true
	c.PerHostRPS = 1000
	c.PerHostConcurrency = 4
	c.BackoffBase = time.Millisecond
	c.BackoffMax = 4 * time.Millisecond
	c.Timeout = 5 * time.Second
	return c
}

func newTestFetcher(t *testing.T, cfg Config, opts ...Option) *Fetcher {
	t.Helper()
	f, err := New(cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(f.Close)
	return f
}

// serveOn starts h on a given loopback address ("127.0.0.2:0").
func serveOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// counter counts requests per path.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) inc(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = make(map[string]int)
	}
	c.n[path]++
}

func (c *counter) get(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}
