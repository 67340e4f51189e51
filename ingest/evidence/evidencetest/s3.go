// Package evidencetest is what tests of the evidence store share: an
// S3-compatible server to keep captures in, reached the way an operator
// configures it.
package evidencetest

import (
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3 starts an in-process S3-compatible server (gofakes3, in memory) with a
// bucket "evidence", stopped when the test ends, and returns the s3:// URL
// of the bucket (the form COUNTERLENS_BLOB_URL takes) and the backend, to
// look at or tamper with behind the store's back. It points the AWS SDK's
// credentials at test values and away from the user's own files.
func S3(t testing.TB) (url string, backend *s3mem.Backend) {
	t.Helper()
	backend = s3mem.New()
	if err := backend.CreateBucket("evidence"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return "s3://evidence?endpoint=" + srv.URL + "&region=us-east-1&use_path_style=true&disable_https=true", backend
}
