package folder

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/localfs"
	"counterlens/models"
)

// drop copies testdata/drop into a fresh local root and returns the root
// and the copied folder.
func drop(t *testing.T) (string, string) {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "drop")
	if err := os.CopyFS(dir, os.DirFS("testdata/drop")); err != nil {
		t.Fatal(err)
	}
	// watch.json is the newer file.
	old := time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, "bags.json"), old, old); err != nil {
		t.Fatal(err)
	}
	return root, dir
}

func crawl(t *testing.T, root, dir, state string) connector.Result {
	t.Helper()
	cfg := connector.DefaultConfig()
	cfg.LocalRoot = root
	res, err := New(cfg).Crawl(context.Background(), models.Source{Type: "folder", URL: "file://" + dir}, state)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCrawlDrop(t *testing.T) {
	root, dir := drop(t)
	res := crawl(t, root, dir, "")
	var ids []string
	for _, l := range res.Listings {
		ids = append(ids, l.ExternalID)
	}
	if !slices.Equal(ids, []string{"watch.json#0", "A-17", "18"}) {
		t.Fatalf("listings %v, want the newest file first, sub-folders and dot files ignored", ids)
	}
	w := res.Listings[0]
	if w.Platform != "folder" || w.Title != "Submariner, seized parcel 2026-118" || w.Desc != "Customs photo" || w.URL != "" ||
		!slices.Equal(w.ImageURLs, []string{localfs.FileURL(filepath.Join(dir, "img", "sub.png"))}) {
		t.Errorf("watch %#v", w)
	}
	s := res.Listings[1]
	if s.URL != "https://shop.example/p/17" || s.Price != 89.5 || s.Currency != "EUR" || s.Seller != "bagqueen" ||
		!slices.Equal(s.ImageURLs, []string{localfs.FileURL(filepath.Join(dir, "img", "speedy-front.jpg")), "https://cdn.shop.example/17.jpg"}) {
		t.Errorf("speedy %#v", s)
	}
	if n := res.Listings[2]; n.Title != "Neverfull MM" || n.ImageURLs == nil || len(n.ImageURLs) != 0 {
		t.Errorf("neverfull %#v", n)
	}
	if !strings.Contains(res.State, `"bags.json":"`) || !strings.Contains(res.State, `"watch.json":"`) || strings.Contains(res.State, "README") {
		t.Errorf("state %s", res.State)
	}

	if again := crawl(t, root, dir, res.State); len(again.Listings) != 0 || again.State != res.State {
		t.Errorf("second crawl: %d listings, state %s", len(again.Listings), again.State)
	}
	// A changed file comes back whole; a new one is read; the others not.
	if err := os.WriteFile(filepath.Join(dir, "watch.json"), []byte(`{"title":"Submariner, price added","price":120,"currency":"USD"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "new.JSON"), []byte(`[{"id":"N-1","title":"Daytona"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	third := crawl(t, root, dir, res.State)
	ids = nil
	for _, l := range third.Listings {
		ids = append(ids, l.ExternalID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"N-1", "watch.json#0"}) {
		t.Errorf("third crawl %v", ids)
	}
}

func TestCrawlErrors(t *testing.T) {
	cases := map[string]struct {
		file, state string
		noRoot      bool
		maxBytes    int64
		want        error
		wantType    any
	}{
		"disabled":      {file: `[]`, noRoot: true, want: localfs.ErrDisabled},
		"bad state":     {file: `[]`, state: `["x"]`},
		"not json":      {file: `title: x`, want: connector.ErrBadResponse},
		"no title":      {file: `{"id":"x"}`, wantType: new(*connector.FieldError)},
		"hostile id":    {file: `{"id":"a\nb","title":"t"}`, want: connector.ErrBadResponse},
		"object id":     {file: `{"id":{"a":1},"title":"t"}`, want: connector.ErrBadResponse},
		"javascript":    {file: `{"title":"t","url":"javascript:alert(1)"}`, want: connector.ErrBadResponse},
		"bad currency":  {file: `{"title":"t","currency":"euro"}`, want: connector.ErrBadResponse},
		"negative":      {file: `{"title":"t","price":-1}`, want: connector.ErrBadResponse},
		"string price":  {file: `{"title":"t","price":"12"}`, want: connector.ErrBadResponse},
		"too large":     {file: `{"title":"` + strings.Repeat("x", 3000) + `"}`, maxBytes: 2048, want: connector.ErrTooLarge},
		"array of junk": {file: `[1,2]`, want: connector.ErrBadResponse},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			root, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "x.json"), []byte(c.file), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := connector.DefaultConfig()
			cfg.LocalRoot = root
			if c.noRoot {
				cfg.LocalRoot = ""
			}
			if c.maxBytes != 0 {
				cfg.MaxPageBytes = c.maxBytes
			}
			_, err = New(cfg).Crawl(context.Background(), models.Source{Type: "folder", URL: "file://" + root}, c.state)
			if err == nil {
				t.Fatal("no error")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
			if c.wantType != nil && !errors.As(err, c.wantType) {
				t.Errorf("error %v (%T), want a %T", err, err, c.wantType)
			}
		})
	}
}
