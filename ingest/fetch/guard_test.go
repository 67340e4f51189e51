package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestIsPublicAddr(t *testing.T) {
	cases := map[string]bool{
		"127.0.0.1":                false,
		"127.8.9.10":               false,
		"10.1.2.3":                 false,
		"172.16.0.1":               false,
		"172.31.255.255":           false,
		"192.168.1.1":              false,
		"169.254.169.254":          false, // cloud metadata
		"0.0.0.0":                  false,
		"0.1.2.3":                  false,
		"100.64.0.1":               false,
		"192.0.2.1":                false,
		"198.18.0.1":               false,
		"224.0.0.1":                false,
		"239.255.255.250":          false,
		"255.255.255.255":          false,
		"240.0.0.1":                false,
		"::":                       false,
		"::1":                      false,
		"::127.0.0.1":              false,
		"fe80::1":                  false,
		"fe80::1%eth0":             false,
		"fc00::1":                  false,
		"fd00:ec2::254":            false, // AWS metadata over IPv6
		"ff02::1":                  false,
		"2001:db8::1":              false,
		"::ffff:127.0.0.1":         false,
		"::ffff:10.0.0.1":          false,
		"::ffff:169.254.169.254":   false,
		"64:ff9b::a00:1":           false, // NAT64 of 10.0.0.1
		"64:ff9b::7f00:1":          false, // NAT64 of 127.0.0.1
		"2002:7f00:1::":            false, // 6to4 of 127.0.0.1
		"2001:0:4136:e378::1":      false, // Teredo
		"8.8.8.8":                  true,
		"1.1.1.1":                  true,
		"172.32.0.1":               true,
		"100.128.0.1":              true,
		"::ffff:8.8.8.8":           true,
		"64:ff9b::808:808":         true, // NAT64 of 8.8.8.8
		"2002:808:808::":           true, // 6to4 of 8.8.8.8
		"2606:4700:4700::1111":     true,
		"2a00:1450:4001:80b::200e": true,
	}
	for s, want := range cases {
		t.Run(s, func(t *testing.T) {
			if got := IsPublicAddr(netip.MustParseAddr(s)); got != want {
				t.Errorf("IsPublicAddr(%s) = %v, want %v", s, got, want)
			}
		})
	}
}

func TestDialControlChecksTheDialledAddress(t *testing.T) {
	g := newGuard(false, nil, net.Dialer{})
	for addr, blocked := range map[string]bool{
		"127.0.0.1:80":       true,
		"10.0.0.1:443":       true,
		"[::1]:80":           true,
		"169.254.169.254:80": true,
		"8.8.8.8:443":        false,
		"[2606:4700::1]:443": false,
	} {
		err := g.dialer.Control("tcp", addr, nil)
		if got := errors.Is(err, ErrBlockedAddress); got != blocked {
			t.Errorf("Control(%s) = %v, want blocked=%v", addr, err, blocked)
		}
	}
	open := newGuard(true, nil, net.Dialer{})
	if err := open.dialer.Control("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("AllowPrivate: Control(127.0.0.1) = %v, want nil", err)
	}
}

func TestGuardBlocksPrivateTargets(t *testing.T) {
	hits := &counter{}
	srv := serveOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc(r.URL.Path)
	}))
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	targets := []string{
		srv.URL + "/x",
		fmt.Sprintf("http://127.0.0.2:%d/x", port),
		"http://10.0.0.1/x",
		"http://192.168.0.1/x",
		"http://169.254.169.254/latest/meta-data/",
		"http://0.0.0.0/x",
		fmt.Sprintf("http://[::1]:%d/x", port),
		"http://[::ffff:127.0.0.1]/x",
		"http://[fe80::1]/x",
		"http://intranet.test/x",  // resolves to 10.0.0.7
		"http://rebind.test/x",    // one public and one private answer
		"http://localhost.test/x", // resolves to loopback
	}
	resolver := withResolver(map[string][]string{
		"intranet.test":  {"10.0.0.7"},
		"rebind.test":    {"8.8.8.8", "127.0.0.1"},
		"localhost.test": {"::1", "127.0.0.1"},
	})
	for _, robots := range []bool{true, false} {
		cfg := testConfig()
		cfg.AllowPrivate = false
		cfg.RespectRobots = robots
		f := newTestFetcher(t, cfg, resolver, withLoopbackOnly(t))
		for _, target := range targets {
			t.Run(fmt.Sprintf("robots=%v/%s", robots, target), func(t *testing.T) {
				_, err := f.Get(context.Background(), target, 0)
				if !errors.Is(err, ErrBlockedAddress) {
					t.Fatalf("Get(%s) error = %v, want ErrBlockedAddress", target, err)
				}
				req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader("x"))
				if _, err := f.Do(req); !errors.Is(err, ErrBlockedAddress) {
					t.Fatalf("Do(%s) error = %v, want ErrBlockedAddress", target, err)
				}
			})
		}
	}
	if n := hits.get("/x") + hits.get("/robots.txt"); n != 0 {
		t.Errorf("blocked server got %d requests", n)
	}
}

func TestGuardBlocksRedirectToPrivate(t *testing.T) {
	secret := &counter{}
	inner := serveOn(t, "127.0.0.2:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret.inc(r.URL.Path)
		_, _ = w.Write([]byte("secret"))
	}))
	innerPort := inner.Listener.Addr().(*net.TCPAddr).Port
	outer := serveOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/by-ip":
			http.Redirect(w, r, fmt.Sprintf("http://127.0.0.2:%d/secret", innerPort), http.StatusFound)
		case "/by-name":
			http.Redirect(w, r, fmt.Sprintf("http://internal.test:%d/secret", innerPort), http.StatusFound)
		}
	}))
	outerPort := outer.Listener.Addr().(*net.TCPAddr).Port
	resolver := withResolver(map[string][]string{
		"shop.test":     {"127.0.0.1"},
		"internal.test": {"127.0.0.2"},
	})
	cfg := testConfig()
	cfg.AllowPrivate = false
	cfg.RespectRobots = false

	t.Run("blocked", func(t *testing.T) {
		// 127.0.0.1 plays the public internet; 127.0.0.2 stays private.
		f := newTestFetcher(t, cfg, resolver, withPublic("127.0.0.1"), withLoopbackOnly(t))
		for _, path := range []string{"/by-ip", "/by-name"} {
			_, err := f.Get(context.Background(), fmt.Sprintf("http://shop.test:%d%s", outerPort, path), 0)
			if !errors.Is(err, ErrBlockedAddress) {
				t.Errorf("%s: error = %v, want ErrBlockedAddress", path, err)
			}
		}
		if n := secret.get("/secret"); n != 0 {
			t.Errorf("private server got %d requests", n)
		}
	})
	t.Run("control: both public", func(t *testing.T) {
		f := newTestFetcher(t, cfg, resolver, withPublic("127.0.0.1", "127.0.0.2"), withLoopbackOnly(t))
		resp, err := f.Get(context.Background(), fmt.Sprintf("http://shop.test:%d/by-name", outerPort), 0)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if string(resp.Body) != "secret" || !strings.HasSuffix(resp.URL, "/secret") {
			t.Errorf("got %q from %s", resp.Body, resp.URL)
		}
	})
}
