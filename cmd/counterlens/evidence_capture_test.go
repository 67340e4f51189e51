package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"counterlens/cmd/internal/demo"
	"counterlens/ingest/evidence"
	"counterlens/ingest/evidence/evidencetest"
	"counterlens/models"
)

// s3Bucket starts an in-process S3-compatible server (gofakes3) with an
// "evidence" bucket and points COUNTERLENS_BLOB_URL at it.
func s3Bucket(t *testing.T) *s3mem.Backend {
	t.Helper()
	url, backend := evidencetest.S3(t)
	t.Setenv("COUNTERLENS_BLOB_URL", url)
	return backend
}

// TestCrawledPagesAreEvidenceInS3 crawls a Mastodon source of the demo
// market through the real serve and worker, with the evidence store in an
// S3-compatible bucket: the bundle of a listing found holds the timeline
// page it was found in and the capture records of the page and pictures
// (headers, user agent, version), and verifies.
func TestCrawledPagesAreEvidenceInS3(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test loads OpenCV and tesseract")
	}
	backend := s3Bucket(t)
	st := startStack(t, 1)
	market, err := demo.NewMarket(demoData, "")
	if err != nil {
		t.Fatal(err)
	}
	ms := httptest.NewServer(market.Handler())
	defer ms.Close()

	body, _ := json.Marshal(map[string]string{"type": "mastodon", "url": ms.URL, "query": demo.SearchTerm})
	var src struct {
		ID string `json:"id"`
	}
	if code := call(t, http.MethodPost, st.api+"/v1/sources", "application/json", bytes.NewReader(body), &src); code != 201 {
		t.Fatalf("create source: %d", code)
	}
	// The worker's scheduler may have started crawling the new source
	// already: 409 says a crawl is under way, which is what is asked.
	if code := call(t, http.MethodPost, st.api+"/v1/sources/"+src.ID+"/run", "application/json", strings.NewReader("{}"), nil); code != 202 && code != 409 {
		t.Fatalf("run source: %d", code)
	}
	var page struct {
		Items []models.Suspicion `json:"items"`
	}
	for deadline := time.Now().Add(3 * time.Minute); len(page.Items) == 0; time.Sleep(300 * time.Millisecond) {
		call(t, http.MethodGet, st.api+"/v1/suspicions?limit=1", "", nil, &page)
		if time.Now().After(deadline) {
			t.Fatal("no crawled listing analysed in time")
		}
	}
	id := page.Items[0].ListingID

	bundle := filepath.Join(t.TempDir(), "bundle.zip")
	if err := os.WriteFile(bundle, download(t, st.api+"/v1/listings/"+id+"/evidence", testAdminKey), 0o600); err != nil {
		t.Fatal(err)
	}
	files := unzip(t, bundle)
	var m evidence.Manifest
	if err := json.Unmarshal(files[evidence.ManifestName], &m); err != nil {
		t.Fatal(err)
	}
	var pages, images int
	for _, f := range m.Files {
		dir, _, _ := strings.Cut(f.Path, "/")
		if dir != "pages" && dir != "images" {
			continue
		}
		var rec evidence.CaptureRecord
		if err := json.Unmarshal(files[f.Record], &rec); err != nil || rec.BodySHA256 != f.SHA256 || rec.URL != f.URL ||
			rec.UserAgent == "" || rec.Software != "counterlens "+version || len(rec.Headers) == 0 {
			t.Errorf("%s: capture record %q: %+v, %v", f.Path, f.Record, rec, err)
		}
		if !strings.HasPrefix(f.URL, ms.URL+"/") || f.HTTPStatus != 200 || f.CapturedAt.IsZero() {
			t.Errorf("%s: manifest entry %+v", f.Path, f)
		}
		if dir == "pages" {
			pages++
			if !strings.Contains(f.URL, "/api/v1/timelines/tag/") {
				t.Errorf("page %s is not the Mastodon timeline: %s", f.Path, f.URL)
			}
		} else {
			images++
		}
	}
	if pages == 0 || images == 0 {
		t.Fatalf("bundle holds %d pages and %d pictures; want both:\n%s", pages, images, files[evidence.ManifestName])
	}
	if code, out := verify(t, bundle); code != 0 {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
	objs, err := backend.ListBucket("evidence", nil, gofakes3.ListBucketPage{})
	if err != nil || len(objs.Contents) == 0 {
		t.Fatalf("the S3 bucket holds nothing: %v", err)
	}

	// An admin deletes the listing's evidence: the next bundle names every
	// capture as deleted, with the reason, and still verifies.
	var del struct {
		Deleted []string `json:"deleted"`
	}
	if code := call(t, http.MethodDelete, st.api+"/v1/listings/"+id+"/evidence", "application/json",
		strings.NewReader(`{"reason":"court order 7"}`), &del); code != 200 || len(del.Deleted) != pages+images {
		t.Fatalf("delete: %d, %+v; want %d deleted", code, del, pages+images)
	}
	after := filepath.Join(t.TempDir(), "after.zip")
	if err := os.WriteFile(after, download(t, st.api+"/v1/listings/"+id+"/evidence", testAdminKey), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := verify(t, after)
	if code != 0 || strings.Count(out, "DELETED ") != len(del.Deleted) || !strings.Contains(out, "court order 7") {
		t.Fatalf("verify after deletion: exit %d\n%s", code, out)
	}
}
