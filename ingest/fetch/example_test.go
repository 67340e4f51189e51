package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"counterlens/ingest/fetch"
)

func Example() {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: counterlens\nDisallow: /admin\n")
		default:
			fmt.Fprint(w, "<html><title>cheap sneakers</title></html>")
		}
	}))
	defer site.Close()

	cfg := fetch.DefaultConfig()
	cfg.AllowPrivate = true // the test site listens on loopback
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	f, err := fetch.New(cfg)
	if err != nil {
		panic(err)
	}
	defer f.Close()

	resp, err := f.Get(context.Background(), site.URL+"/listing/1", 0)
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.Status, resp.ContentType, len(resp.SHA256))

	_, err = f.Get(context.Background(), site.URL+"/admin", 0)
	fmt.Println(errors.Is(err, fetch.ErrDisallowed))

	cfg.AllowPrivate = false
	guarded, _ := fetch.New(cfg)
	_, err = guarded.Get(context.Background(), site.URL+"/listing/1", 0)
	fmt.Println(errors.Is(err, fetch.ErrBlockedAddress))
	// Output:
	// 200 text/html; charset=utf-8 64
	// true
	// true
}
