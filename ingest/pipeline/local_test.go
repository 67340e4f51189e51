package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"counterlens/ingest/connector/localfs"
	"counterlens/ingest/fetch"
)

type noNetwork struct{}

func (noNetwork) Get(context.Context, string, int64) (*fetch.Response, error) {
	return nil, errors.New("network used")
}

func TestLocalFilesStayUnderTheRoot(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	png := []byte("\x89PNG\r\n\x1a\nrest of a picture")
	if err := os.WriteFile(filepath.Join(root, "a.png"), png, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.png"), png, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.png"), filepath.Join(root, "link.png")); err != nil {
		t.Fatal(err)
	}
	lf := LocalFiles{Root: root, Next: noNetwork{}}
	ctx := context.Background()

	r, err := lf.Get(ctx, localfs.FileURL(filepath.Join(root, "a.png")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Body) != string(png) || r.ContentType != "image/png" || len(r.SHA256) != 64 || r.Status != 200 {
		t.Fatalf("response %+v", r)
	}
	for name, u := range map[string]string{
		"outside":     localfs.FileURL(filepath.Join(outside, "secret.png")),
		"symlink out": localfs.FileURL(filepath.Join(root, "link.png")),
		"dot-dot":     "file://" + root + "/../" + filepath.Base(outside) + "/secret.png",
		"relative":    "file:a.png",
		"remote host": "file://evil.example/" + root + "/a.png",
		"missing":     localfs.FileURL(filepath.Join(root, "nope.png")),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := lf.Get(ctx, u, 1<<20); err == nil {
				t.Fatalf("%s was read", u)
			}
		})
	}
	if _, err := lf.Get(ctx, localfs.FileURL(filepath.Join(root, "a.png")), 4); !errors.Is(err, fetch.ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := (LocalFiles{Next: noNetwork{}}).Get(ctx, localfs.FileURL(filepath.Join(root, "a.png")), 1<<20); !errors.Is(err, fetch.ErrScheme) {
		t.Fatalf("no root: %v", err)
	}
	if _, err := lf.Get(ctx, "https://example.com/x.jpg", 1<<20); err == nil || err.Error() != "network used" {
		t.Fatalf("http URL not handed on: %v", err)
	}
}
