package connector

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestGone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.WriteHeader(code)
	}))
	defer srv.Close()
	for status, want := range map[int]bool{200: false, 301: false, 403: false, 404: true, 410: true, 429: false, 503: false} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			got, err := Gone(context.Background(), srv.Client(), srv.URL+"/"+strconv.Itoa(status))
			if err != nil || got != want {
				t.Fatalf("gone = %v, %v; want %v", got, err, want)
			}
		})
	}
	for _, bad := range []string{"", "file:///etc/passwd", "mailto:a@b.example"} {
		if _, err := Gone(context.Background(), srv.Client(), bad); !errors.Is(err, ErrBadSource) {
			t.Errorf("Gone(%q): err = %v, want ErrBadSource", bad, err)
		}
	}
}
