package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// TestEvidenceBundleVerifies makes a bundle through the real serve and
// worker (real Redis, OpenCV, tesseract), checks it with "evidence verify",
// then changes it in each way a forger might and checks each change is
// caught and named.
func TestEvidenceBundleVerifies(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test loads OpenCV and tesseract")
	}
	st := startStack(t, 1)
	media := http.FileServer(http.Dir(filepath.Join(demoData, "media")))
	ms := httptest.NewServer(media)
	defer ms.Close()

	var sub struct {
		ListingID string `json:"listing_id"`
	}
	body, _ := json.Marshal(map[string]any{"platform": "shop", "external_id": "ev1", "title": "tracksuit",
		"url": ms.URL + "/offer", "image_urls": []string{ms.URL + "/adidas-box.jpg", ms.URL + "/adidas-worn.jpg"}})
	if code := call(t, http.MethodPost, st.api+"/v1/listings", "application/json", bytes.NewReader(body), &sub); code != 202 {
		t.Fatalf("submit: %d", code)
	}
	var l models.Listing
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		call(t, http.MethodGet, st.api+"/v1/listings/"+sub.ListingID, "", nil, &l)
		if l.Status == models.StatusAnalyzed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listing not analysed in time: %+v", l)
		}
	}

	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.zip")
	if err := os.WriteFile(bundle, download(t, st.api+"/v1/listings/"+sub.ListingID+"/evidence", testAdminKey), 0o600); err != nil {
		t.Fatal(err)
	}
	var pk struct {
		Hex string `json:"hex"`
		PEM string `json:"pem"`
	}
	if err := json.Unmarshal(download(t, st.api+"/v1/evidence/public-key", ""), &pk); err != nil || len(pk.Hex) != 64 {
		t.Fatalf("public key %+v: %v", pk, err)
	}
	pub := filepath.Join(dir, "operator.pem")
	_ = os.WriteFile(pub, []byte(pk.PEM), 0o600)

	files := unzip(t, bundle)
	var m evidence.Manifest
	if err := json.Unmarshal(files[evidence.ManifestName], &m); err != nil {
		t.Fatal(err)
	}
	if m.ListingID != sub.ListingID || m.Generator != "counterlens "+version || m.PublicKey != pk.Hex {
		t.Fatalf("manifest header %+v", m)
	}
	for i, ev := range l.Evidence {
		f := m.Files[i]
		if f.SHA256 != ev.SHA256 || f.URL != ev.URL || f.HTTPStatus != 200 || !strings.HasPrefix(f.Path, "images/") {
			t.Errorf("manifest file %+v for evidence %+v", f, ev)
		}
		var rec evidence.CaptureRecord
		if err := json.Unmarshal(files[f.Record], &rec); err != nil || rec.BodySHA256 != ev.SHA256 ||
			rec.Software != "counterlens "+version || len(rec.Headers["Content-Type"]) != 1 {
			t.Errorf("capture record %q of %s: %+v, %v", f.Record, f.Path, rec, err)
		}
		want, _ := os.ReadFile(filepath.Join(demoData, "media", filepath.Base(ev.URL)))
		if !bytes.Equal(files[f.Path], want) {
			t.Errorf("%s is not the fetched bytes of %s", f.Path, ev.URL)
		}
	}
	var types []string
	sc := bufio.NewScanner(bytes.NewReader(files[evidence.CustodyName]))
	for sc.Scan() {
		var e evidence.Event
		_ = json.Unmarshal(sc.Bytes(), &e)
		types = append(types, string(e.Type))
	}
	if got := strings.Join(types, ","); got != "captured,captured,analysed,exported" {
		t.Errorf("custody events %s", got)
	}

	if code, out := verify(t, bundle); code != 0 || !strings.Contains(out, "9 files and 4 custody events verified") {
		t.Fatalf("fresh bundle: exit %d\n%s", code, out)
	}
	if code, out := verify(t, "-pubkey", pub, bundle); code != 0 || !strings.Contains(out, "with the key of "+pub) {
		t.Fatalf("with -pubkey: exit %d\n%s", code, out)
	}
	_ = os.WriteFile(filepath.Join(dir, "other.hex"), []byte(strings.Repeat("ab", 32)), 0o600)
	if code, out := verify(t, "-pubkey", filepath.Join(dir, "other.hex"), bundle); code != 1 ||
		!strings.Contains(out, "does not verify with the given public key") {
		t.Fatalf("with another key: exit %d\n%s", code, out)
	}

	if bin, err := exec.LookPath("sha256sum"); err == nil {
		// What an investigator does by hand: unzip, then sha256sum -c.
		folder := filepath.Join(dir, "unzipped")
		for n, b := range files {
			_ = os.MkdirAll(filepath.Dir(filepath.Join(folder, n)), 0o750)
			_ = os.WriteFile(filepath.Join(folder, n), b, 0o600)
		}
		cmd := exec.Command(bin, "-c", evidence.SumsName)
		cmd.Dir = folder
		if out, err := cmd.CombinedOutput(); err != nil || strings.Count(string(out), ": OK") != len(m.Files)-1 {
			t.Fatalf("sha256sum -c: %v\n%s", err, out)
		}
	}

	image := m.Files[0].Path
	for name, c := range map[string]struct {
		file string
		edit func([]byte) []byte
		want string
	}{
		"image byte":      {image, flipByte, image + ": SHA-256"},
		"listing byte":    {evidence.ListingName, flipByte, "listing.json: SHA-256"},
		"custody dropped": {evidence.CustodyName, dropLine(2), "custody event 2 (seq 3, analysed): seq is 3, want 2"},
		"manifest": {evidence.ManifestName, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"http_status": 200`), []byte(`"http_status": 201`), 1)
		}, "manifest.sig: signature does not verify"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.zip")
			rewrite(t, files, c.file, c.edit, bad)
			code, out := verify(t, bad)
			if code != 1 || !strings.Contains(out, "FAILED "+c.want) {
				t.Fatalf("exit %d, want 1 and a line naming %q:\n%s", code, c.want, out)
			}
		})
	}
}

func download(t *testing.T, url, key string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return b
}

func verify(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := run(context.Background(), append([]string{"evidence", "verify"}, args...), &out, &errs)
	return code, out.String() + errs.String()
}

func unzip(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files
}

// rewrite writes files as a zip to path, with name changed by edit.
func rewrite(t *testing.T, files map[string][]byte, name string, edit func([]byte) []byte, path string) {
	t.Helper()
	if _, ok := files[name]; !ok {
		t.Fatalf("no %s in the bundle", name)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, b := range files {
		if n == name {
			if b = edit(append([]byte{}, b...)); bytes.Equal(b, files[n]) {
				t.Fatalf("edit left %s unchanged", n)
			}
		}
		w, _ := zw.Create(n)
		_, _ = w.Write(b)
	}
	_ = zw.Close()
	_ = os.WriteFile(path, buf.Bytes(), 0o600)
}

func flipByte(b []byte) []byte { b[len(b)/2] ^= 0x01; return b }

func dropLine(n int) func([]byte) []byte {
	return func(b []byte) []byte {
		lines := strings.SplitAfter(string(b), "\n")
		return []byte(strings.Join(append(lines[:n-1:n-1], lines[n:]...), ""))
	}
}
