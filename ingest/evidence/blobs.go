// Package evidence keeps what counterlens saw, byte-exact, addressed by its
// SHA-256 control number, so that anyone can verify nothing changed since
// capture.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob" // registers s3:// for OpenBlobs
	"gocloud.dev/gcerrors"
)

var (
	// ErrNotFound means no blob has that control number.
	ErrNotFound = errors.New("evidence not found")
	// ErrAltered means stored bytes no longer hash to their control
	// number: the store was changed behind counterlens' back.
	ErrAltered = errors.New("evidence altered in the store")
)

// Blobs is a content-addressed store behind gocloud.dev/blob: the bytes
// with control number H live under the key sha256/H[0:2]/H, in a local
// folder (<dir>/sha256/H[0:2]/H, the layout of earlier versions, so no
// migration is needed) or in an S3-compatible bucket. A blob is written
// once and never changed or removed by a re-crawl; every write and every
// read checks that the stored bytes hash to their key.
type Blobs struct {
	bucket *blob.Bucket
}

// opTimeout bounds [Blobs.Put] and [Blobs.Get], which have no caller's
// context.
const opTimeout = 2 * time.Minute

// NewBlobs opens (and creates) the store in the local folder dir.
func NewBlobs(dir string) (*Blobs, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("evidence store: %w", err)
	}
	// Temporary files go next to their blob, so the final rename never
	// crosses file systems; no ".attrs" sidecars: the folder holds the
	// captured bytes and nothing else.
	b, err := fileblob.OpenBucket(abs, &fileblob.Options{CreateDir: true, DirFileMode: 0o750,
		NoTempDir: true, Metadata: fileblob.MetadataDontWrite})
	if err != nil {
		return nil, fmt.Errorf("evidence store %s: %w", abs, err)
	}
	return &Blobs{bucket: b}, nil
}

// OpenBlobs opens the store at rawURL: "file:///abs/folder" (the same as
// [NewBlobs]) or "s3://bucket?endpoint=…&region=…&use_path_style=true" for
// S3-compatible object storage, with the query parameters of
// gocloud.dev/blob/s3blob and credentials from the usual AWS sources
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, shared files, roles).
func OpenBlobs(ctx context.Context, rawURL string) (*Blobs, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("evidence store URL: %w", err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" || !filepath.IsAbs(u.Path) || u.RawQuery != "" {
			return nil, fmt.Errorf("evidence store URL %q: want file:///absolute/folder without parameters", rawURL)
		}
		return NewBlobs(u.Path)
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("evidence store URL %q: no bucket", u.Redacted())
		}
		b, err := blob.OpenBucket(ctx, rawURL)
		if err != nil {
			return nil, fmt.Errorf("evidence store %s: %w", u.Redacted(), err)
		}
		return &Blobs{bucket: b}, nil
	}
	return nil, fmt.Errorf("evidence store URL %q: scheme must be file or s3", u.Redacted())
}

// Close releases the store's connections.
func (b *Blobs) Close() error { return b.bucket.Close() }

// Sum returns the control number of data: its SHA-256 in lower-case hex.
func Sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// ValidSum reports whether sum is a control number: 64 lower-case hex
// digits.
func ValidSum(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	for _, c := range sum {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func blobKey(sum string) string { return "sha256/" + sum[:2] + "/" + sum }

// Write stores data and returns its control number. Writing the same bytes
// again only checks the stored copy (and restores it when it was altered).
// The stored bytes are read back and hashed before Write returns.
func (b *Blobs) Write(ctx context.Context, data []byte) (string, error) {
	sum := Sum(data)
	return sum, b.write(ctx, blobKey(sum), sum, data)
}

// write stores data, whose control number is sum, under key, unless a
// good copy is there already; then it reads it back and checks it.
func (b *Blobs) write(ctx context.Context, key, sum string, data []byte) error {
	switch _, err := b.read(ctx, key, sum); {
	case err == nil:
		return nil
	case !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrAltered):
		return err
	}
	// WriteAll sends the MD5 of data, so S3 refuses a damaged upload.
	if err := b.bucket.WriteAll(ctx, key, data, &blob.WriterOptions{ContentType: "application/octet-stream"}); err != nil {
		return fmt.Errorf("evidence store: write %s: %w", key, err)
	}
	if _, err := b.read(ctx, key, sum); err != nil {
		return fmt.Errorf("evidence store: check %s after writing: %w", key, err)
	}
	return nil
}

// Read returns the bytes with control number sum, after checking they
// still hash to it: [ErrNotFound] when there are none, [ErrAltered] when
// they changed.
func (b *Blobs) Read(ctx context.Context, sum string) ([]byte, error) {
	if !ValidSum(sum) {
		return nil, ErrNotFound
	}
	return b.read(ctx, blobKey(sum), sum)
}

func (b *Blobs) read(ctx context.Context, key, sum string) ([]byte, error) {
	data, err := b.bucket.ReadAll(ctx, key)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("evidence store: read %s: %w", key, err)
	}
	if Sum(data) != sum {
		return nil, fmt.Errorf("%w: %s", ErrAltered, key)
	}
	return data, nil
}

// Put is [Blobs.Write] for callers without a context.
func (b *Blobs) Put(data []byte) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	return b.Write(ctx, data)
}

// Get is [Blobs.Read] for callers without a context.
func (b *Blobs) Get(sum string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	return b.Read(ctx, sum)
}
