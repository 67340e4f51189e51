package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"counterlens/ingest/crawl"
	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

// newTestServer is the one builder of the servers the api tests run: the
// real handler on a real Redis store, every store-backed part plugged in
// (keys, brands, listings, sources, reviews, webhooks, networks), a
// [fakeAnalyzer], and a crawler whose platform has one listing. Each opt
// adjusts the server before it starts (see [withPolicyParts],
// [withEvidence]); env.an is the fake analyzer when the server still uses it.
func newTestServer(t *testing.T, store *redisq.Store, opts ...func(*Server)) (http.Handler, *env) {
	t.Helper()
	acfg := DefaultConfig()
	acfg.AdminKey = adminKey
	acfg.MaxImageBytes = 200 << 10
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cr := &crawl.Crawler{Cfg: crawl.DefaultConfig(), Store: store, Log: log,
		Crawl: func(ctx context.Context, src models.Source, state string) ([]models.Listing, string, error) {
			return []models.Listing{{ExternalID: "1", Title: "from " + src.URL}}, "s1", nil
		}}
	s := &Server{Cfg: acfg, Keys: store, Brands: store, Listings: store, Sources: store, Crawler: cr,
		Analyzer: &fakeAnalyzer{}, Health: store, Log: log, Reviews: store, Webhooks: store, Networks: store,
		Connectors: []string{"ebay", "mastodon"}}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	h := s.Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	fa, _ := s.Analyzer.(*fakeAnalyzer)
	return h, &env{t: t, srv: srv, store: store, an: fa}
}

// withPolicyParts plugs in the policy parts kept in store: per-key rate
// limits, the audit log and official photos, with uploads up to 2 MiB.
func withPolicyParts(store *redisq.Store) func(*Server) {
	return func(s *Server) {
		s.Cfg.MaxImageBytes = 2 << 20
		s.Limiter, s.Audit, s.Photos = store, store, store
	}
}

// withEvidence plugs in the evidence parts: bundles signed by signer from
// blobs, the custody log in store; captured images are read from blobs.
func withEvidence(store *redisq.Store, blobs *evidence.Blobs, signer *evidence.Signer) func(*Server) {
	return func(s *Server) {
		s.Evidence = &EvidenceParts{Blobs: blobs, Signer: signer, Custody: store, Generator: "counterlens test"}
		s.Blobs = blobs
	}
}

// newRequest builds a request to url with key as its bearer token and
// contentType, each when not empty.
func newRequest(t *testing.T, method, url, key, contentType string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

// newEvidenceStore returns a clean real Redis store, an evidence folder
// and a signer with a fresh key: what [withEvidence] plugs in.
func newEvidenceStore(t *testing.T) (*redisq.Store, *evidence.Blobs, *evidence.Signer) {
	t.Helper()
	blobs, err := evidence.NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return newStore(t, redistest.URL(t)), blobs, evidence.NewSigner(key)
}

// imagesForm is a multipart form with the text fields and one file field
// "image" per element of files.
func imagesForm(files [][]byte, fields map[string]string) (contentType string, body []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for i, f := range files {
		fw, _ := w.CreateFormFile("image", "f"+string(rune('a'+i))+".png")
		_, _ = fw.Write(f)
	}
	_ = w.Close()
	return w.FormDataContentType(), buf.Bytes()
}
