package fetch

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
)

// forwardProxy is a tiny HTTP forward proxy for plain-http targets. It counts
// the hosts it is asked for.
func forwardProxy(hits *counter) http.Handler {
	tr := &http.Transport{} // no proxy from the environment
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc(r.URL.Host)
		if r.Method == http.MethodConnect || !r.URL.IsAbs() {
			http.Error(w, "forward proxy only", http.StatusMethodNotAllowed)
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := tr.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.Header().Set("Via", "1.1 test-proxy")
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}

// socks5Proxy serves SOCKS5 CONNECT without authentication on addr, to
// loopback targets only, and counts the targets it is asked for.
func socks5Proxy(t *testing.T, addr string, hits *counter) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSOCKS5(c, hits)
		}
	}()
	return ln.Addr().String()
}

func serveSOCKS5(c net.Conn, hits *counter) {
	defer c.Close()
	buf := make([]byte, 262)
	// Greeting: version, methods; we pick "no authentication".
	if _, err := io.ReadFull(c, buf[:2]); err != nil || buf[0] != 5 {
		return
	}
	if _, err := io.ReadFull(c, buf[:buf[1]]); err != nil {
		return
	}
	if _, err := c.Write([]byte{5, 0}); err != nil {
		return
	}
	// Request: version, command, reserved, address type, address, port.
	if _, err := io.ReadFull(c, buf[:4]); err != nil || buf[1] != 1 {
		return
	}
	var host string
	switch buf[3] {
	case 1:
		if _, err := io.ReadFull(c, buf[:4]); err != nil {
			return
		}
		host = netip.AddrFrom4([4]byte(buf[:4])).String()
	case 3:
		if _, err := io.ReadFull(c, buf[:1]); err != nil {
			return
		}
		n := int(buf[0])
		if _, err := io.ReadFull(c, buf[:n]); err != nil {
			return
		}
		host = string(buf[:n])
	default:
		return
	}
	if _, err := io.ReadFull(c, buf[:2]); err != nil {
		return
	}
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(buf[:2]))))
	hits.inc(target)
	a, err := netip.ParseAddr(host)
	if err != nil || !netip.MustParsePrefix("127.0.0.0/8").Contains(a) {
		_, _ = c.Write([]byte{5, 2, 0, 1, 0, 0, 0, 0, 0, 0}) // not allowed by ruleset
		return
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		_, _ = c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	defer up.Close()
	if _, err := c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0}); err != nil {
		return
	}
	go func() { _, _ = io.Copy(up, c) }()
	_, _ = io.Copy(c, up)
}

func TestProxy(t *testing.T) {
	// 127.0.0.1 plays the public internet, 127.0.0.3 a private network, and
	// the proxies sit on 127.0.0.2, an address the guard would refuse as a
	// target: the operator's proxy is reachable wherever it is.
	pageHits := &counter{}
	page := serveOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHits.inc(r.URL.Path)
		_, _ = w.Write([]byte("page via " + r.Header.Get("User-Agent")))
	}))
	secretHits := &counter{}
	secret := serveOn(t, "127.0.0.3:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secretHits.inc(r.URL.Path)
	}))
	httpHits, socksHits := &counter{}, &counter{}
	httpProxy := serveOn(t, "127.0.0.2:0", forwardProxy(httpHits))
	socksAddr := socks5Proxy(t, "127.0.0.2:0", socksHits)

	for _, tc := range []struct {
		proxy string
		hits  *counter
	}{
		{httpProxy.URL, httpHits},
		{"socks5://" + socksAddr, socksHits},
	} {
		t.Run(tc.proxy, func(t *testing.T) {
			cfg := testConfig()
			cfg.AllowPrivate = false
			cfg.RespectRobots = false
			cfg.Proxy = tc.proxy
			f := newTestFetcher(t, cfg, withPublic("127.0.0.1"))
			ctx := context.Background()

			resp, err := f.Get(ctx, page.URL+"/p", 0)
			if err != nil {
				t.Fatalf("Get through proxy: %v", err)
			}
			if string(resp.Body) != "page via "+DefaultUserAgent {
				t.Errorf("body = %q", resp.Body)
			}
			pageHost := page.Listener.Addr().String()
			if n := tc.hits.get(pageHost); n != 1 {
				t.Errorf("proxy saw %s %d times, want 1", pageHost, n)
			}

			_, err = f.Get(ctx, secret.URL+"/s", 0)
			if !errors.Is(err, ErrBlockedAddress) {
				t.Errorf("private target through proxy: error = %v, want ErrBlockedAddress", err)
			}
			if n := tc.hits.get(secret.Listener.Addr().String()); n != 0 {
				t.Errorf("proxy was handed the private target %d times", n)
			}
			if n := secretHits.get("/s"); n != 0 {
				t.Errorf("private target got %d requests", n)
			}
		})
	}
	if n := pageHits.get("/p"); n != 2 {
		t.Errorf("page got %d requests, want 2 (one per proxy)", n)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	cases := map[string]func(*Config){
		"empty user agent":   func(c *Config) { c.UserAgent = " " },
		"header injection":   func(c *Config) { c.UserAgent = "x\r\nX-Evil: 1" },
		"zero timeout":       func(c *Config) { c.Timeout = 0 },
		"zero max bytes":     func(c *Config) { c.MaxBytes = 0 },
		"zero rate":          func(c *Config) { c.PerHostRPS = 0 },
		"zero concurrency":   func(c *Config) { c.PerHostConcurrency = 0 },
		"negative retries":   func(c *Config) { c.Retries = -1 },
		"too many retries":   func(c *Config) { c.Retries = 100 },
		"backoff max < base": func(c *Config) { c.BackoffMax = c.BackoffBase / 2 },
		"negative redirects": func(c *Config) { c.MaxRedirects = -1 },
		"zero robots TTL":    func(c *Config) { c.RobotsTTL = 0 },
		"ftp proxy":          func(c *Config) { c.Proxy = "ftp://127.0.0.1:21" },
		"proxy without host": func(c *Config) { c.Proxy = "socks5://" },
		"unparseable proxy":  func(c *Config) { c.Proxy = "http://[::1" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			c := DefaultConfig()
			mutate(&c)
			if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("Validate() = %v, want ErrInvalidConfig", err)
			}
			if _, err := New(c); !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("New() = %v, want ErrInvalidConfig", err)
			}
		})
	}
	for _, p := range []string{"", "http://127.0.0.1:3128", "https://proxy.example:443", "socks5://127.0.0.1:9050", "socks5h://user:pw@127.0.0.1:1080"} {
		c := DefaultConfig()
		c.Proxy = p
		if err := c.Validate(); err != nil {
			t.Errorf("proxy %q: %v", p, err)
		}
	}
	c := DefaultConfig()
	c.RespectRobots = false
	c.RobotsTTL = 0
	if err := c.Validate(); err != nil {
		t.Errorf("robots TTL unused when robots are off: %v", err)
	}
	for ua, want := range map[string]string{
		DefaultUserAgent:    "counterlens",
		"Mozilla/5.0 (X11)": "Mozilla",
		"plain":             "plain",
		"Bot Name/1.0":      "Bot",
	} {
		if got := (Config{UserAgent: ua}).robotsAgent(); got != want {
			t.Errorf("robotsAgent(%q) = %q, want %q", ua, got, want)
		}
	}
	if got := (Config{UserAgent: DefaultUserAgent, RobotsAgent: "x"}).robotsAgent(); got != "x" {
		t.Errorf("RobotsAgent override ignored: %q", got)
	}
}
