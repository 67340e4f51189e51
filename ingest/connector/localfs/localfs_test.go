package localfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"counterlens/ingest/connector"
)

func TestDirAndFile(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	export := filepath.Join(root, "exports", "chat1")
	if err := os.MkdirAll(filepath.Join(export, "photos"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(export, "photos", "a.jpg"), filepath.Join(outside, "secret.txt"), filepath.Join(root, "note.txt")} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(export, "photos", "link.jpg")); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{
		"file://" + export:               true,
		"file://localhost" + export:      true,
		"file://" + root:                 true,
		"file://" + export + "/../../..": false,
		"file://" + outside:              false,
		"file://" + root + "/escape":     false,
		"file://" + root + "/note.txt":   false,
		"file://" + root + "/missing":    false,
		"file://remote.example" + export: false,
		"http://127.0.0.1/x":             false,
		export:                           false,
		"file://" + export + "?x=1":      false,
	}
	for raw, ok := range dirs {
		dir, err := Dir(root, raw)
		if ok && err != nil {
			t.Errorf("Dir(%q): %v", raw, err)
		}
		if !ok && (err == nil || !errors.Is(err, connector.ErrBadSource)) {
			t.Errorf("Dir(%q) = %q, %v; want ErrBadSource", raw, dir, err)
		}
	}
	if _, err := Dir("", "file://"+export); !errors.Is(err, ErrDisabled) {
		t.Errorf("no root: %v", err)
	}

	dir, err := Dir(root, "file://"+export)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{
		"photos/a.jpg":         true,
		"photos/link.jpg":      false, // a link out of the folder
		"../../note.txt":       false,
		"/etc/passwd":          false,
		"photos":               false,
		"photos/missing.jpg":   false,
		"":                     false,
		"photos/a.jpg\x00.png": false,
	}
	for rel, ok := range files {
		p, got := File(dir, rel)
		if got != ok {
			t.Errorf("File(%q) = %q, %v; want %v", rel, p, got, ok)
		}
	}
	if u := FileURL("/srv/a b/c#1.jpg"); u != "file:///srv/a%20b/c%231.jpg" {
		t.Errorf("FileURL = %q", u)
	}
}

func TestReadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(p, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p, 100); err != nil || len(b) != 100 {
		t.Errorf("ReadFile at the limit: %d bytes, %v", len(b), err)
	}
	if _, err := ReadFile(p, 99); !errors.Is(err, connector.ErrTooLarge) {
		t.Errorf("ReadFile over the limit: %v", err)
	}
}
