package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"counterlens/models"
)

func testBundle(t *testing.T) ([]byte, *Signer) {
	t.Helper()
	blobs, err := NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	img := []byte("\xff\xd8\xff\xe0 not really a jpeg")
	sum, err := blobs.Put(img)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l := models.Listing{ID: "l1", Title: "bag", Evidence: []models.Evidence{
		{SHA256: sum, URL: "https://shop.example/1.jpg", CapturedAt: at, HTTPStatus: 200, ContentType: "image/jpeg", Size: int64(len(img))},
		{URL: "https://shop.example/2.jpg", CapturedAt: at, Error: "connection refused"},
	}}
	var custody []Event
	var prev *Event
	for _, typ := range []EventType{EventCaptured, EventAnalysed, EventExported} {
		e := Chain(prev, Event{Type: typ, Actor: "test", At: at})
		custody = append(custody, e)
		prev = &e
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	signer := NewSigner(key)
	var buf bytes.Buffer
	if err := WriteBundle(context.Background(), &buf, Bundle{Listing: l, Custody: custody, Generator: "counterlens test", CreatedAt: at}, blobs, signer); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), signer
}

// rezip rewrites a bundle, letting edit change (or drop, by returning nil)
// each file.
func rezip(t *testing.T, data []byte, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if b = edit(f.Name, b); b == nil {
			continue
		}
		w, _ := zw.Create(f.Name)
		_, _ = w.Write(b)
	}
	_ = zw.Close()
	return out.Bytes()
}

func TestBundleVerifiesAndTamperingIsNamed(t *testing.T) {
	data, signer := testBundle(t)
	rep := Verify(bytes.NewReader(data), int64(len(data)), signer.PublicKey())
	if !rep.OK() || !rep.EmbeddedKeyOK || !rep.UserKeyOK || rep.Events != 3 || rep.Files != 6 {
		t.Fatalf("fresh bundle: %+v", rep)
	}
	flip := func(target string) func(string, []byte) []byte {
		return func(name string, b []byte) []byte {
			if name == target {
				b = append([]byte{}, b...)
				b[len(b)/2] ^= 1
			}
			return b
		}
	}
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	for name, c := range map[string]struct {
		edit func(string, []byte) []byte
		key  ed25519.PublicKey
		want string
	}{
		"image byte":    {edit: flip("images/1.jpg"), want: "images/1.jpg: SHA-256"},
		"listing byte":  {edit: flip(ListingName), want: "listing.json: SHA-256"},
		"manifest byte": {edit: flip(ManifestName), want: "manifest.sig: signature does not verify with the key in the bundle"},
		"manifest field": {edit: func(n string, b []byte) []byte {
			if n == ManifestName {
				return bytes.Replace(b, []byte(`"listing_id": "l1"`), []byte(`"listing_id": "l2"`), 1)
			}
			return b
		}, want: "manifest.sig: signature does not verify with the key in the bundle"},
		"extra file": {edit: func(n string, b []byte) []byte {
			if n == ReadmeName {
				return append(b, "x"...)
			}
			return b
		}, want: "README.txt: size"},
		"other key": {edit: func(_ string, b []byte) []byte { return b }, key: otherKey.Public().(ed25519.PublicKey),
			want: "manifest.sig: signature does not verify with the given public key"},
		"dropped event": {edit: func(n string, b []byte) []byte {
			if n == CustodyName {
				lines := strings.SplitAfter(string(b), "\n")
				return []byte(lines[0] + lines[2])
			}
			return b
		}, want: "custody event 2 (seq 3, exported): seq is 3, want 2"},
		"dropped image": {edit: func(n string, b []byte) []byte {
			if n == "images/1.jpg" {
				return nil
			}
			return b
		}, want: "images/1.jpg: listed in manifest.json but missing"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := rezip(t, data, c.edit)
			rep := Verify(bytes.NewReader(bad), int64(len(bad)), c.key)
			if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), c.want) {
				t.Fatalf("problems %q, want one with %q", rep.Problems, c.want)
			}
		})
	}
}

func TestUnlistedFileIsNamed(t *testing.T) {
	data, _ := testBundle(t)
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		_ = zw.Copy(f)
	}
	w, _ := zw.Create("images/9.jpg")
	_, _ = w.Write([]byte("planted"))
	_ = zw.Close()
	rep := Verify(bytes.NewReader(out.Bytes()), int64(out.Len()), nil)
	if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "images/9.jpg: in the zip but not listed") {
		t.Fatalf("problems %q", rep.Problems)
	}
}

func TestSignerKeyFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "evidence-key")
	a, err := LoadOrCreateSigner(p)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", st, err)
	}
	b, err := LoadOrCreateSigner(p)
	if err != nil || !a.PublicKey().Equal(b.PublicKey()) {
		t.Fatalf("second start made another key: %v", err)
	}
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	sp := filepath.Join(dir, "seed")
	_ = os.WriteFile(sp, seed, 0o600)
	c, err := LoadSigner(sp)
	if err != nil || !c.PublicKey().Equal(ed25519.NewKeyFromSeed(seed).Public()) {
		t.Fatalf("raw seed: %v", err)
	}
	pk, err := ParsePublicKey(PublicKeyPEM(a.PublicKey()))
	if err != nil || !pk.Equal(a.PublicKey()) {
		t.Fatalf("public key PEM round trip: %v", err)
	}
	_ = os.WriteFile(sp, []byte("short"), 0o600)
	if _, err := LoadSigner(sp); err == nil {
		t.Fatal("a 5-byte key file was accepted")
	}
}
