package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Report is the outcome of checking a bundle.
type Report struct {
	// Problems names each file, event or signature that does not hold.
	Problems []string
	// Files is how many files the manifest lists; Events how many custody
	// events the log holds.
	Files, Events int
	// EmbeddedKeyOK says manifest.sig verifies with the key in the bundle;
	// UserKeyOK with the key given by the user (false when none was given).
	EmbeddedKeyOK, UserKeyOK bool
	// Deleted describes each capture an admin deleted, as the manifest
	// and the custody log state it; these are not problems.
	Deleted []string
	// Presence describes each time the custody log says the listing was
	// found removed from its platform or present again; not problems.
	Presence []string
}

// OK reports whether every check held.
func (r Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) addf(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// maxEntry caps one file of a bundle being checked.
const maxEntry = 1 << 30

// Verify checks a bundle: every file's hash and size against the manifest,
// that the zip holds no file the manifest does not list, the signature of
// the manifest with the key in the bundle and, when userKey is not nil,
// with userKey, and the custody chain against the manifest's head.
func Verify(r io.ReaderAt, size int64, userKey ed25519.PublicKey) Report {
	var rep Report
	zr, err := zip.NewReader(r, size)
	if err != nil {
		rep.addf("not a zip file: %v", err)
		return rep
	}
	entries := map[string][]byte{}
	for _, f := range zr.File {
		if _, dup := entries[f.Name]; dup {
			rep.addf("%s: is in the zip twice", f.Name)
			continue
		}
		data, err := readEntry(f)
		if err != nil {
			rep.addf("%s: cannot be read: %v", f.Name, err)
			continue
		}
		entries[f.Name] = data
	}
	raw, ok := entries[ManifestName]
	if !ok {
		rep.addf("%s: missing", ManifestName)
		return rep
	}
	// The signature is checked before the manifest is read, so that a
	// changed manifest is named as such even when it no longer parses.
	var embedded ed25519.PublicKey
	if pem, ok := entries[PublicKeyName]; !ok {
		rep.addf("%s: missing", PublicKeyName)
	} else if embedded, err = ParsePublicKey(pem); err != nil {
		rep.addf("%s: not an Ed25519 public key: %v", PublicKeyName, err)
	}
	sig, ok := entries[SignatureName]
	if !ok {
		rep.addf("%s: missing", SignatureName)
	}
	if ok && embedded != nil {
		rep.EmbeddedKeyOK = ed25519.Verify(embedded, raw, sig)
		if !rep.EmbeddedKeyOK {
			rep.addf("%s: signature does not verify with the key in the bundle (manifest.json or manifest.sig changed)", SignatureName)
		}
	}
	if ok && userKey != nil {
		rep.UserKeyOK = ed25519.Verify(userKey, raw, sig)
		if !rep.UserKeyOK {
			rep.addf("%s: signature does not verify with the given public key", SignatureName)
		}
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		rep.addf("%s: not valid JSON: %v", ManifestName, err)
		return rep
	}
	rep.Files = len(m.Files)
	if embedded != nil && m.PublicKey != hex.EncodeToString(embedded) {
		rep.addf("%s: is not the key named in %s", PublicKeyName, ManifestName)
	}

	listed := map[string]bool{ManifestName: true, SignatureName: true}
	for _, f := range m.Files {
		if listed[f.Path] {
			rep.addf("%s: listed twice in %s", f.Path, ManifestName)
			continue
		}
		listed[f.Path] = true
		data, ok := entries[f.Path]
		switch {
		case !ok:
			rep.addf("%s: listed in %s but missing from the zip", f.Path, ManifestName)
		case int64(len(data)) != f.Size:
			rep.addf("%s: size is %d bytes, manifest says %d", f.Path, len(data), f.Size)
		case Sum(data) != f.SHA256:
			rep.addf("%s: SHA-256 is %s, manifest says %s", f.Path, Sum(data), f.SHA256)
		}
	}
	for _, f := range zr.File {
		if !listed[f.Name] {
			rep.addf("%s: in the zip but not listed in %s", f.Name, ManifestName)
			listed[f.Name] = true
		}
	}
	checkRecords(&rep, m.Files, entries)
	events := checkCustody(&rep, entries[CustodyName], m.CustodyHead)
	checkDeleted(&rep, m.Deleted, events)
	rep.Presence = presence(events)
	return rep
}

// checkRecords checks that each capture record says what the manifest
// says of the bytes it describes.
func checkRecords(rep *Report, files []ManifestFile, entries map[string][]byte) {
	listed := map[string]bool{}
	for _, f := range files {
		listed[f.Path] = true
	}
	for _, f := range files {
		if f.Record == "" {
			continue
		}
		raw, ok := entries[f.Record]
		if !ok || !listed[f.Record] {
			rep.addf("%s: capture record of %s is missing or not listed in %s", f.Record, f.Path, ManifestName)
			continue
		}
		var r CaptureRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			rep.addf("%s: not a capture record: %v", f.Record, err)
			continue
		}
		differ := func(what string, record, manifest any) {
			rep.addf("%s: %s is %v in the capture record, %v in %s for %s", f.Record, what, record, manifest, ManifestName, f.Path)
		}
		switch {
		case r.BodySHA256 != f.SHA256:
			differ("body_sha256", r.BodySHA256, f.SHA256)
		case r.BodySize != f.Size:
			differ("body_size", r.BodySize, f.Size)
		case r.URL != f.URL:
			differ("url", r.URL, f.URL)
		case r.HTTPStatus != f.HTTPStatus:
			differ("http_status", r.HTTPStatus, f.HTTPStatus)
		case !r.CapturedAt.Equal(f.CapturedAt):
			differ("captured_at", r.CapturedAt, f.CapturedAt)
		}
	}
}

// checkDeleted checks that each capture the manifest calls deleted was
// deleted by an event of the custody log, and describes it.
func checkDeleted(rep *Report, deleted []DeletedFile, events []Event) {
	bySeq := map[int64]Event{}
	for _, e := range events {
		bySeq[e.Seq] = e
	}
	for _, d := range deleted {
		e, ok := bySeq[d.CustodySeq]
		if !ok || e.Type != EventDeleted || !slices.Contains(strings.Split(e.Details[DetailSums], ","), d.SHA256) {
			rep.addf("%s: %s (%s) is called deleted, but custody event seq %d does not delete it", ManifestName, d.SHA256, d.URL, d.CustodySeq)
			continue
		}
		rep.Deleted = append(rep.Deleted, fmt.Sprintf("%s (sha256 %s, captured %s) deleted by %s on %s (custody event %d): %s",
			d.URL, d.SHA256, d.CapturedAt.Format(time.RFC3339), e.Actor, e.At.UTC().Format(time.RFC3339), e.Seq, e.Details[DetailReason]))
	}
}

func readEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxEntry+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxEntry {
		return nil, fmt.Errorf("larger than %d bytes", maxEntry)
	}
	return data, nil
}

func checkCustody(rep *Report, data []byte, head *CustodyHead) []Event {
	var events []Event
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxEntry)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			rep.addf("%s line %d: not a custody event: %v", CustodyName, line, err)
			continue
		}
		events = append(events, e)
	}
	rep.Events = len(events)
	rep.Problems = append(rep.Problems, VerifyChain(events)...)
	switch {
	case head == nil && len(events) > 0:
		rep.addf("%s: holds %d events but %s names no last event", CustodyName, len(events), ManifestName)
	case head == nil:
	case len(events) == 0:
		rep.addf("%s: empty, but %s names event seq %d as the last", CustodyName, ManifestName, head.Seq)
	default:
		last := events[len(events)-1]
		if last.Seq != head.Seq || last.Hash != head.Hash {
			rep.addf("%s: ends with event seq %d, but %s names seq %d as the last", CustodyName, last.Seq, ManifestName, head.Seq)
		}
	}
	return events
}
