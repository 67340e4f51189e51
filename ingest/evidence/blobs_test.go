package evidence

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBlobsAreByteExactAndTamperEvident(t *testing.T) {
	dir := t.TempDir()
	b, err := NewBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("\x89PNG exact bytes\x00\x01")
	sum, err := b.Put(data)
	if err != nil {
		t.Fatal(err)
	}
	// sha256 of the bytes, as sha256sum prints it.
	if sum != Sum(data) || len(sum) != 64 {
		t.Fatalf("control number %q", sum)
	}
	if again, err := b.Put(data); err != nil || again != sum {
		t.Fatalf("second put: %v %v", again, err)
	}
	got, err := b.Get(sum)
	if err != nil || string(got) != string(data) {
		t.Fatalf("get: %q %v", got, err)
	}
	if _, err := b.Get(strings.Repeat("0", 64)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
	if _, err := b.Get("../../etc/passwd"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("path outside the store: %v", err)
	}
	p := filepath.Join(dir, "sha256", sum[:2], sum)
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("changed"), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(sum); err == nil {
		t.Fatal("altered blob was returned as evidence")
	}
}
