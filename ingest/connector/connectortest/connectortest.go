// Package connectortest is what the connector tests share: a fake platform
// that serves fixture answers in the platform's own format, and a table
// runner for the answers a crawl must refuse.
package connectortest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"counterlens/ingest/connector"
	"counterlens/models"
)

// Fake is a platform on a local test server. It counts the requests and
// answers each with Override, when set and when that returns true, or else
// with the fixture handler it was made with.
type Fake struct {
	Srv      *httptest.Server
	Calls    atomic.Int32
	Override func(w http.ResponseWriter, r *http.Request) bool
}

// Config is the connectors' default configuration with two items a page,
// so that the fixtures span several pages.
func Config() connector.Config {
	cfg := connector.DefaultConfig()
	cfg.PageSize = 2
	return cfg
}

// NewFake starts a fake platform serving fixtures with serve; it stops when
// the test ends.
func NewFake(t testing.TB, serve http.HandlerFunc) *Fake {
	t.Helper()
	f := &Fake{}
	f.Srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Calls.Add(1)
		if f.Override != nil && f.Override(w, r) {
			return
		}
		serve(w, r)
	}))
	t.Cleanup(f.Srv.Close)
	return f
}

// Fixture answers with the bytes of the file testdata/name; the caller sets
// the headers first.
func Fixture(t testing.TB, w http.ResponseWriter, name string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Error(err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(raw)
}

// ErrorCase is a crawl that must fail: a source or state the connector
// refuses, or a platform answer it must not take.
type ErrorCase struct {
	// Query, URL and State replace the source's when set.
	Query, URL, State string
	// Status, Header and Answer make the platform's answer.
	Status int
	Header map[string]string
	Answer string
	// Path, when set, limits the answer to requests for that URL path:
	// the platform answers the others as usual (e.g. a refused search
	// after a good token).
	Path string
	// MaxBytes replaces the connector's page byte cap when set.
	MaxBytes int64
	// Configure, when set, changes the connector's configuration
	// (credentials, limits) for the case.
	Configure func(*connector.Config)
	// Want, when set, must be in the error's chain (errors.Is); WantType,
	// a pointer to an error type, must be too (errors.As).
	Want     error
	WantType any
}

// Serve answers a request with the case's answer; use it as [Fake.Override].
// A case with no status, header or answer (a refused source or
// configuration) leaves the platform's answers as they are; an empty answer
// needs its status set.
func (c ErrorCase) Serve(w http.ResponseWriter, r *http.Request) bool {
	if c.Status == 0 && c.Answer == "" && len(c.Header) == 0 || c.Path != "" && r.URL.Path != c.Path {
		return false
	}
	for k, v := range c.Header {
		w.Header().Set(k, v)
	}
	if c.Status != 0 {
		w.WriteHeader(c.Status)
	}
	_, _ = w.Write([]byte(c.Answer))
	return true
}

// Apply puts the case's query, URL, byte cap and configuration into a
// source and config.
func (c ErrorCase) Apply(src *models.Source, cfg *connector.Config) {
	if c.Query != "" {
		src.Query = c.Query
	}
	if c.URL != "" {
		src.URL = c.URL
	}
	if c.MaxBytes != 0 {
		cfg.MaxPageBytes = c.MaxBytes
	}
	if c.Configure != nil {
		c.Configure(cfg)
	}
}

// Run serves the case's answer on f, applies the case to src and cfg, and
// crawls with the connector that build makes: the usual [CrawlFunc] body.
func (c ErrorCase) Run(ctx context.Context, f *Fake, src models.Source, cfg connector.Config,
	build func(connector.Doer, connector.Config) connector.Connector) error {
	f.Override = c.Serve
	c.Apply(&src, &cfg)
	_, err := build(f.Srv.Client(), cfg).Crawl(ctx, src, c.State)
	return err
}

// CrawlFunc crawls once for a case: typically a new [Fake] with
// [ErrorCase.Serve] as its Override, a source and config the case applies
// to, and the connector's Crawl with the case's State.
type CrawlFunc func(ctx context.Context, t *testing.T, c ErrorCase) error

// CheckErrors runs every case as a subtest: the crawl must fail, with the
// case's Want and WantType.
func CheckErrors(t *testing.T, cases map[string]ErrorCase, crawl CrawlFunc) {
	t.Helper()
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := crawl(context.Background(), t, c)
			if err == nil {
				t.Fatal("no error")
			}
			if c.Want != nil && !errors.Is(err, c.Want) {
				t.Errorf("error %v, want %v", err, c.Want)
			}
			if c.WantType != nil && !errors.As(err, c.WantType) {
				t.Errorf("error %v (%T), want a %T", err, err, c.WantType)
			}
		})
	}
}
