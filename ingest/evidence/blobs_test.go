package evidence

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"counterlens/ingest/evidence/evidencetest"
)

// s3Store starts an in-process S3-compatible server (gofakes3, in memory)
// and opens the store on a bucket of it through the s3:// URL an operator
// would configure. It returns the backend, to tamper with behind the
// store's back.
func s3Store(t testing.TB) (*Blobs, *s3mem.Backend) {
	t.Helper()
	url, backend := evidencetest.S3(t)
	b, err := OpenBlobs(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b, backend
}

// checkStore runs the contract every backend must keep; tamper replaces
// the stored bytes of a key behind the store's back.
func checkStore(t *testing.T, b *Blobs, tamper func(key string, data []byte)) {
	t.Helper()
	ctx := context.Background()
	data := []byte("\x89PNG exact bytes\x00\x01")
	sum, err := b.Write(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	// sha256 of the bytes, as sha256sum prints it.
	if sum != Sum(data) || !ValidSum(sum) {
		t.Fatalf("control number %q", sum)
	}
	if again, err := b.Write(ctx, data); err != nil || again != sum {
		t.Fatalf("second write: %v %v", again, err)
	}
	got, err := b.Read(ctx, sum)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read: %q %v", got, err)
	}
	if _, err := b.Read(ctx, strings.Repeat("0", 64)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
	for _, bad := range []string{"../../etc/passwd", strings.ToUpper(sum), sum[:63]} {
		if _, err := b.Read(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Fatalf("read %q: %v", bad, err)
		}
	}
	tamper("sha256/"+sum[:2]+"/"+sum, []byte("changed"))
	if _, err := b.Read(ctx, sum); !errors.Is(err, ErrAltered) {
		t.Fatalf("altered blob: %v, want ErrAltered", err)
	}
	// Writing the true bytes again restores the altered copy.
	if _, err := b.Write(ctx, data); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Read(ctx, sum); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after restoring: %q %v", got, err)
	}
}

func TestFolderStoreIsByteExactAndTamperEvident(t *testing.T) {
	dir := t.TempDir()
	b, err := NewBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkStore(t, b, func(key string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.WriteFile(p, data, 0o640); err != nil {
			t.Fatal(err)
		}
	})
	// Nothing but the blobs themselves: no sidecars, no temporary files.
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !ValidSum(d.Name()) {
			t.Errorf("stray file %s in the store", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFolderStoreReadsTheEarlierLayout(t *testing.T) {
	// Before gocloud.dev/blob, blobs were written by hand, read-only, at
	// <dir>/sha256/H[0:2]/H; such a folder must open as it is.
	dir := t.TempDir()
	data := []byte("captured in an earlier version")
	sum := Sum(data)
	p := filepath.Join(dir, "sha256", sum[:2], sum)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o440); err != nil {
		t.Fatal(err)
	}
	b, err := OpenBlobs(context.Background(), "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get(sum); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("earlier blob: %q %v", got, err)
	}
	if again, err := b.Put(data); err != nil || again != sum {
		t.Fatalf("put over an earlier blob: %v %v", again, err)
	}
}

func TestS3StoreIsByteExactAndTamperEvident(t *testing.T) {
	b, backend := s3Store(t)
	checkStore(t, b, func(key string, data []byte) {
		// A new object, as someone replacing it would upload it.
		if _, err := backend.DeleteObject("evidence", key); err != nil {
			t.Fatal(err)
		}
		if _, err := backend.PutObject("evidence", key, map[string]string{}, bytes.NewReader(data), int64(len(data)), nil); err != nil {
			t.Fatal(err)
		}
	})
	obj, err := backend.HeadObject("evidence", "sha256/"+Sum([]byte("\x89PNG exact bytes\x00\x01"))[:2]+"/"+Sum([]byte("\x89PNG exact bytes\x00\x01")))
	if err != nil || obj.Size != int64(len("\x89PNG exact bytes\x00\x01")) {
		t.Fatalf("object in the bucket: %+v %v", obj, err)
	}
}

func TestOpenBlobsRefusesOtherURLs(t *testing.T) {
	for _, u := range []string{"gs://bucket", "file://relative/path", "file:///tmp/x?metadata=skip", "s3://", "mem://", "::"} {
		if b, err := OpenBlobs(context.Background(), u); err == nil {
			_ = b.Close()
			t.Errorf("%q was accepted", u)
		}
	}
}

// BenchmarkWrite sizes the cost of checked writes of a 1 MiB picture: a
// new blob (write, then read back and hash) and one already stored (read
// and hash only), in a folder and in an in-process S3 server.
func BenchmarkWrite(b *testing.B) {
	ctx := context.Background()
	pic := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	folder, err := NewBlobs(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	s3, _ := s3Store(b)
	for name, store := range map[string]*Blobs{"folder": folder, "s3": s3} {
		b.Run(name+"/new", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pic)))
			i := 0
			for b.Loop() {
				i++
				data := append(fmt.Appendf(nil, "%d ", i), pic...)
				if _, err := store.Write(ctx, data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/existing", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pic)))
			for b.Loop() {
				if _, err := store.Write(ctx, pic); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
