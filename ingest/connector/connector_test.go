package connector

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBaseURL(t *testing.T) {
	cases := map[string]string{
		"https://api.ebay.com":          "https://api.ebay.com",
		"http://127.0.0.1:8081/":        "http://127.0.0.1:8081",
		"https://m.example/sub/?x=1#f":  "https://m.example/sub",
		" https://mastodon.social/ ":    "https://mastodon.social",
		"ftp://x":                       "",
		"https://user:pw@host.example/": "",
		"/relative":                     "",
		"https://":                      "",
	}
	for in, want := range cases {
		u, err := BaseURL(in)
		if want == "" {
			if err == nil || !errors.Is(err, ErrBadSource) {
				t.Errorf("BaseURL(%q) = %v, %v; want ErrBadSource", in, u, err)
			}
			continue
		}
		if err != nil || u.String() != want {
			t.Errorf("BaseURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	base, _ := BaseURL("https://m.example")
	for link, want := range map[string]bool{
		"https://m.example/api?max_id=1": true,
		"https://M.EXAMPLE/api":          true,
		"http://m.example/api":           false,
		"https://m.example.evil/api":     false,
		"/api":                           false,
		"::":                             false,
	} {
		if _, ok := SameOrigin(base, link); ok != want {
			t.Errorf("SameOrigin(%q) = %v, want %v", link, ok, want)
		}
	}
}

func TestSend(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 2000)))
		case "/teapot":
			w.WriteHeader(http.StatusTeapot)
			_, _ = w.Write([]byte(strings.Repeat("y", 1000)))
		default:
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	send := func(path string) ([]byte, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		b, _, err := Send(srv.Client(), req, 1024)
		return b, err
	}
	if b, err := send("/ok"); err != nil || string(b) != `{"ok":true}` {
		t.Errorf("ok: %q %v", b, err)
	}
	if _, err := send("/big"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big: %v", err)
	}
	var se *StatusError
	if _, err := send("/teapot"); !errors.As(err, &se) || se.Status != http.StatusTeapot || len(se.Body) != 300 {
		t.Errorf("teapot: %v", err)
	}
	var v struct{ OK bool }
	if err := Decode([]byte("{"), &v); !errors.Is(err, ErrBadResponse) {
		t.Errorf("Decode: %v", err)
	}
	if err := (&FieldError{Field: "id"}); !errors.Is(err, ErrBadResponse) {
		t.Error("FieldError does not wrap ErrBadResponse")
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
	c := DefaultConfig()
	c.MaxPages = 0
	if c.Validate() == nil {
		t.Error("zero pages accepted")
	}
}

func TestConfigValidateLocalRoot(t *testing.T) {
	for root, ok := range map[string]bool{"": true, "/srv/drops": true, "drops": false, "./x": false} {
		c := DefaultConfig()
		c.LocalRoot = root
		if err := c.Validate(); (err == nil) != ok {
			t.Errorf("LocalRoot %q: %v", root, err)
		}
	}
}
