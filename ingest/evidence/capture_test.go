package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"counterlens/ingest/fetch"
	"counterlens/models"
)

const (
	testPage = `{"items":[{"id":"v1|1234567|0","url":"https:\/\/shop.example\/itm\/1234567"}]}`
	testJPEG = "\xff\xd8\xff\xe0\x00\x10JFIF\x00 not really a jpeg"
)

// captured fetches a page (as a connector does, with Do) and a picture (as
// the pipeline does, with Get) through a real fetcher whose recorder is a
// Capturer on a real folder store, and returns what the Collected of the
// crawl saw and the picture's evidence record.
func captured(t *testing.T) (*Blobs, []Capture, models.Evidence, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Platform", "shop")
		switch r.URL.Path {
		case "/search":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, testPage)
		case "/other":
			_, _ = io.WriteString(w, `{"items":[]}`)
		case "/1.jpg":
			_, _ = io.WriteString(w, testJPEG)
		}
	}))
	t.Cleanup(srv.Close)
	blobs, err := NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := fetch.DefaultConfig()
	cfg.AllowPrivate, cfg.RespectRobots = true, false
	f, err := fetch.New(cfg, fetch.WithRecorder(&Capturer{Blobs: blobs, Software: "counterlens test"}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)

	ctx, col := Collect(context.Background())
	for _, path := range []string{"/search", "/other"} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		resp, err := f.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	img, err := f.Get(context.Background(), srv.URL+"/1.jpg", 0)
	if err != nil {
		t.Fatal(err)
	}
	ev := models.Evidence{SHA256: img.SHA256, URL: img.URL, CapturedAt: img.CapturedAt, HTTPStatus: img.Status,
		ContentType: img.ContentType, Size: int64(len(img.Body))}
	return blobs, col.Captures(), ev, srv
}

func TestCapturesOfPagesAndPicturesGoIntoTheBundle(t *testing.T) {
	blobs, caps, img, srv := captured(t)
	if len(caps) != 2 {
		t.Fatalf("the crawl's context collected %d captures, want the 2 pages (not the picture)", len(caps))
	}
	l := models.Listing{ID: "l1", ExternalID: "v1|1234567|0", URL: "https://shop.example/itm/1234567", Evidence: []models.Evidence{img}}
	pages := LinkPages(l, caps)
	if len(pages) != 1 || pages[0].Record.URL != srv.URL+"/search" {
		t.Fatalf("linked pages %+v, want only /search", pages)
	}
	var custody []Event
	add := func(e Event) { custody = appendChained(custody, e) }
	add(PageEvent(pages[0], "counterlens crawler"))
	add(Event{Type: EventCaptured, Actor: "worker", Details: map[string]string{"url": img.URL, "sha256": img.SHA256}})

	_, key, _ := ed25519.GenerateKey(rand.Reader)
	signer := NewSigner(key)
	var buf bytes.Buffer
	if err := WriteBundle(context.Background(), &buf, Bundle{Listing: l, Custody: custody, Generator: "counterlens test",
		CreatedAt: time.Now()}, blobs, signer); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	files := map[string][]byte{}
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var m Manifest
	if err := json.Unmarshal(files[ManifestName], &m); err != nil {
		t.Fatal(err)
	}
	byPath := map[string]ManifestFile{}
	for _, f := range m.Files {
		byPath[f.Path] = f
	}
	for path, want := range map[string]struct {
		url, body string
	}{"images/1.jpg": {srv.URL + "/1.jpg", testJPEG}, "pages/1.json": {srv.URL + "/search", testPage}} {
		f, ok := byPath[path]
		if !ok || f.URL != want.url || f.HTTPStatus != 200 || f.CapturedAt.IsZero() || string(files[path]) != want.body {
			t.Fatalf("%s: %+v, %q", path, f, files[path])
		}
		var rec CaptureRecord
		if err := json.Unmarshal(files[f.Record], &rec); err != nil {
			t.Fatalf("%s: record %q: %v", path, f.Record, err)
		}
		if rec.Format != CaptureFormat || rec.URL != want.url || rec.BodySHA256 != f.SHA256 || rec.HTTPStatus != 200 ||
			rec.Headers["X-Platform"][0] != "shop" || rec.UserAgent != fetch.DefaultUserAgent ||
			rec.Software != "counterlens test" || !rec.CapturedAt.Equal(f.CapturedAt) {
			t.Errorf("%s: capture record %+v", f.Record, rec)
		}
	}
	rep := Verify(bytes.NewReader(data), int64(len(data)), signer.PublicKey())
	if !rep.OK() {
		t.Fatalf("fresh bundle: %q", rep.Problems)
	}

	t.Run("changed record", func(t *testing.T) {
		bad := rezip(t, data, func(name string, b []byte) []byte {
			if name == "records/pages/1.json.json" {
				return bytes.Replace(b, []byte(`"shop"`), []byte(`"shoq"`), 1)
			}
			return b
		})
		rep := Verify(bytes.NewReader(bad), int64(len(bad)), nil)
		if !strings.Contains(strings.Join(rep.Problems, "\n"), "records/pages/1.json.json: SHA-256") {
			t.Fatalf("problems %q", rep.Problems)
		}
	})
	t.Run("record contradicts a re-signed manifest", func(t *testing.T) {
		// Even someone holding the key cannot make a page say another
		// status than its capture record without it being named.
		bad := resign(t, data, signer, func(m *Manifest) {
			for i := range m.Files {
				if m.Files[i].Path == "pages/1.json" {
					m.Files[i].HTTPStatus = 404
				}
			}
		})
		rep := Verify(bytes.NewReader(bad), int64(len(bad)), signer.PublicKey())
		want := "records/pages/1.json.json: http_status is 200 in the capture record, 404 in manifest.json for pages/1.json"
		if !strings.Contains(strings.Join(rep.Problems, "\n"), want) {
			t.Fatalf("problems %q, want %q", rep.Problems, want)
		}
	})
}

// resign rewrites a bundle's manifest with edit and signs it again.
func resign(t *testing.T, data []byte, signer *Signer, edit func(*Manifest)) []byte {
	t.Helper()
	var manifest []byte
	return rezip(t, data, func(name string, b []byte) []byte {
		switch name {
		case ManifestName:
			var m Manifest
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			edit(&m)
			manifest, _ = json.MarshalIndent(m, "", "  ")
			return manifest
		case SignatureName:
			// manifest.json comes first in the zip.
			return signer.Sign(manifest)
		}
		return b
	})
}

func TestLinkPagesFallsBackToEveryPageOfTheCrawl(t *testing.T) {
	caps := []Capture{{body: []byte(`<a href="/itm/99">`)}, {body: []byte(`{"link":"https:\/\/x.example\/itm\/42?a=1\u0026b=2"}`)}}
	for name, c := range map[string]struct {
		l    models.Listing
		want int
	}{
		"escaped URL":      {models.Listing{URL: "https://x.example/itm/42?a=1&b=2"}, 1},
		"named nowhere":    {models.Listing{URL: "https://x.example/itm/7", ExternalID: "7"}, 2},
		"short id ignored": {models.Listing{ExternalID: "99"}, 2},
	} {
		t.Run(name, func(t *testing.T) {
			if got := LinkPages(c.l, caps); len(got) != c.want {
				t.Fatalf("%d pages, want %d", len(got), c.want)
			}
		})
	}
}

func TestDeletionIsNamedAndMustBeLogged(t *testing.T) {
	blobs, caps, img, _ := captured(t)
	ctx := context.Background()
	l := models.Listing{ID: "l1", Evidence: []models.Evidence{img}}
	var custody []Event
	add := func(e Event) { custody = appendChained(custody, e) }
	add(Event{Type: EventCaptured, Details: map[string]string{"sha256": img.SHA256}})
	add(PageEvent(caps[0], "crawler"))
	if got := CapturedSums([]string{img.SHA256}, custody); len(got) != 2 {
		t.Fatalf("captured sums %v", got)
	}
	add(Event{Type: EventDeleted, Actor: "api key k1", Details: map[string]string{DetailSums: img.SHA256, DetailReason: "court order"}})
	if err := blobs.Delete(ctx, img.SHA256); err != nil {
		t.Fatal(err)
	}
	if recs, err := blobs.Records(ctx, img.SHA256); err != nil || len(recs) != 0 {
		t.Fatalf("records left after deleting their body: %d, %v", len(recs), err)
	}
	if got := CapturedSums([]string{img.SHA256}, custody); len(got) != 1 || got[0] != caps[0].Record.BodySHA256 {
		t.Fatalf("captured sums after deletion %v", got)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	signer := NewSigner(key)
	var buf bytes.Buffer
	if err := WriteBundle(ctx, &buf, Bundle{Listing: l, Custody: custody, CreatedAt: time.Now()}, blobs, signer); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	rep := Verify(bytes.NewReader(data), int64(len(data)), nil)
	if !rep.OK() || len(rep.Deleted) != 1 || !strings.Contains(rep.Deleted[0], "deleted by api key k1") {
		t.Fatalf("bundle with a deletion: %+v", rep)
	}
	// A manifest that calls a file deleted without the log saying so is
	// caught, even re-signed.
	bad := resign(t, data, signer, func(m *Manifest) {
		m.Deleted = append(m.Deleted, DeletedFile{SHA256: caps[0].Record.BodySHA256, URL: "x", CustodySeq: 2})
	})
	rep = Verify(bytes.NewReader(bad), int64(len(bad)), nil)
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "is called deleted, but custody event seq 2 does not delete it") {
		t.Fatalf("problems %q", rep.Problems)
	}
}
