// Package evidence keeps what counterlens saw, byte-exact, addressed by its
// SHA-256 control number, so that anyone can verify nothing changed since
// capture.
package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrNotFound means no blob has that control number.
var ErrNotFound = errors.New("evidence not found")

// Blobs is a content-addressed store in a local folder: the bytes with
// control number H live at <dir>/sha256/H[0:2]/H. A blob is written once
// and never changed or removed by a re-crawl.
type Blobs struct {
	dir string
}

// NewBlobs opens (and creates) the store under dir.
func NewBlobs(dir string) (*Blobs, error) {
	if err := os.MkdirAll(filepath.Join(dir, "sha256"), 0o750); err != nil {
		return nil, fmt.Errorf("evidence store: %w", err)
	}
	return &Blobs{dir: dir}, nil
}

// Sum returns the control number of data: its SHA-256 in lower-case hex.
func Sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func (b *Blobs) path(sum string) (string, error) {
	if len(sum) != 64 {
		return "", fmt.Errorf("bad control number %q", sum)
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return "", fmt.Errorf("bad control number %q", sum)
	}
	return filepath.Join(b.dir, "sha256", sum[:2], sum), nil
}

// Put stores data and returns its control number. Storing the same bytes
// again is a no-op.
func (b *Blobs) Put(data []byte) (string, error) {
	sum := Sum(data)
	p, _ := b.path(sum)
	if _, err := os.Stat(p); err == nil {
		return sum, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o440); err != nil {
		return "", err
	}
	return sum, os.Rename(tmp.Name(), p)
}

// Get returns the bytes with control number sum, after checking they still
// hash to it.
func (b *Blobs) Get(sum string) ([]byte, error) {
	p, err := b.path(sum)
	if err != nil {
		return nil, ErrNotFound
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	if Sum(data) != sum {
		return nil, fmt.Errorf("evidence %s was altered on disk", sum)
	}
	return data, nil
}
