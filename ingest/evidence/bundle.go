package evidence

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"counterlens/models"
)

// Names of the fixed files of a bundle.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
	ListingName   = "listing.json"
	CustodyName   = "custody.jsonl"
	ReadmeName    = "README.txt"
	SumsName      = "SHA256SUMS"
	PublicKeyName = "public-key.pem"
)

// BundleFormat names the layout of a bundle; it is in every manifest.
const BundleFormat = "counterlens-evidence/1"

// Manifest lists every file of a bundle except itself and its signature.
type Manifest struct {
	Format    string    `json:"format"`
	ListingID string    `json:"listing_id"`
	CreatedAt time.Time `json:"created_at"`
	Generator string    `json:"generator"`
	// PublicKey is the hex Ed25519 key that checks manifest.sig; the same
	// key is in public-key.pem. Compare it with the operator's published key.
	PublicKey string         `json:"public_key"`
	Files     []ManifestFile `json:"files"`
	// CustodyHead is the last event of custody.jsonl, so that dropping the
	// last events is caught too.
	CustodyHead *CustodyHead `json:"custody_head"`
	// FailedCaptures are fetches that returned no bytes at all.
	FailedCaptures []models.Evidence `json:"failed_captures,omitempty"`
	// Deleted are captures whose bytes an admin deleted; the "deleted"
	// custody event CustodySeq says who, when and why.
	Deleted []DeletedFile `json:"deleted,omitempty"`
}

// ManifestFile is one file of a bundle; URL, CapturedAt and HTTPStatus are
// set for captured responses, and Record names the file holding the
// response's capture record (headers, fetcher), when there is one.
type ManifestFile struct {
	Path        string    `json:"path"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	URL         string    `json:"url,omitempty"`
	CapturedAt  time.Time `json:"captured_at,omitzero"`
	HTTPStatus  int       `json:"http_status,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	Record      string    `json:"record,omitempty"`
}

// DeletedFile is a capture left out of a bundle because an admin deleted
// its bytes.
type DeletedFile struct {
	SHA256     string    `json:"sha256"`
	URL        string    `json:"url"`
	CapturedAt time.Time `json:"captured_at,omitzero"`
	DeletedAt  time.Time `json:"deleted_at"`
	DeletedBy  string    `json:"deleted_by"`
	Reason     string    `json:"reason"`
	CustodySeq int64     `json:"custody_seq"`
}

// CustodyHead names the last event of the custody log.
type CustodyHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// BlobReader returns stored bytes and capture records, checked.
// *[Blobs] implements it.
type BlobReader interface {
	Read(ctx context.Context, sum string) ([]byte, error)
	ReadRecord(ctx context.Context, bodySum, recordSum string) ([]byte, error)
	Records(ctx context.Context, bodySum string) ([]StoredRecord, error)
}

// ManifestSigner signs a manifest's bytes.
type ManifestSigner interface {
	Sign(msg []byte) []byte
	PublicKey() ed25519.PublicKey
}

// Bundle is what goes into one evidence bundle.
type Bundle struct {
	Listing   models.Listing
	Custody   []Event
	Generator string
	CreatedAt time.Time
}

type file struct {
	ManifestFile
	data  []byte
	store bool
}

// capture is one captured response to put in a bundle.
type capture struct {
	ev        models.Evidence
	dir       string // "images" or "pages"
	recordSum string // known record, or "" to look it up
}

// WriteBundle writes b as a zip to w: the captured bytes read from blobs
// exactly as fetched (the listing's pictures under images/, the pages it
// was found in under pages/), their capture records under records/,
// listing.json, custody.jsonl, public-key.pem, README.txt, SHA256SUMS, then
// manifest.json and its Ed25519 signature manifest.sig. Captures an admin
// deleted are listed in the manifest's "deleted", without their bytes.
func WriteBundle(ctx context.Context, w io.Writer, b Bundle, blobs BlobReader, signer ManifestSigner) error {
	created := b.CreatedAt.UTC()
	pub := signer.PublicKey()
	m := Manifest{Format: BundleFormat, ListingID: b.Listing.ID, CreatedAt: created, Generator: b.Generator,
		PublicKey: hex.EncodeToString(pub)}
	var caps []capture
	for _, ev := range b.Listing.Evidence {
		if ev.SHA256 == "" {
			m.FailedCaptures = append(m.FailedCaptures, ev)
			continue
		}
		caps = append(caps, capture{ev: ev, dir: "images"})
	}
	caps = append(caps, pagesOf(b.Custody)...)
	deleted := deletions(b.Custody)
	var bodies, records []file
	count := map[string]int{}
	for _, c := range caps {
		if d, ok := deleted[c.ev.SHA256]; ok {
			d.SHA256, d.URL, d.CapturedAt = c.ev.SHA256, c.ev.URL, c.ev.CapturedAt.UTC()
			m.Deleted = append(m.Deleted, d)
			continue
		}
		data, err := blobs.Read(ctx, c.ev.SHA256)
		if err != nil {
			return fmt.Errorf("evidence %s of %s: %w", c.ev.SHA256, c.ev.URL, err)
		}
		count[c.dir]++
		path := fmt.Sprintf("%s/%d.%s", c.dir, count[c.dir], extension(c.ev.ContentType))
		f := file{ManifestFile: ManifestFile{Path: path, URL: c.ev.URL, CapturedAt: c.ev.CapturedAt.UTC(),
			HTTPStatus: c.ev.HTTPStatus, ContentType: c.ev.ContentType}, data: data, store: true}
		rec, err := findRecord(ctx, blobs, c)
		if err != nil {
			return fmt.Errorf("capture record of %s: %w", c.ev.URL, err)
		}
		if rec != nil {
			f.Record = "records/" + path + ".json"
			records = append(records, file{ManifestFile: ManifestFile{Path: f.Record, ContentType: "application/json"}, data: rec})
		}
		bodies = append(bodies, f)
	}
	files := append(bodies, records...)
	listing, err := json.MarshalIndent(b.Listing, "", "  ")
	if err != nil {
		return fmt.Errorf("encode listing: %w", err)
	}
	var custody bytes.Buffer
	for _, e := range b.Custody {
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode custody event: %w", err)
		}
		custody.Write(line)
		custody.WriteByte('\n')
	}
	if len(b.Custody) > 0 {
		last := b.Custody[len(b.Custody)-1]
		m.CustodyHead = &CustodyHead{Seq: last.Seq, Hash: last.Hash}
	}
	files = append(files,
		file{ManifestFile: ManifestFile{Path: ListingName}, data: append(listing, '\n')},
		file{ManifestFile: ManifestFile{Path: CustodyName}, data: custody.Bytes()},
		file{ManifestFile: ManifestFile{Path: PublicKeyName}, data: PublicKeyPEM(pub)},
		file{ManifestFile: ManifestFile{Path: ReadmeName}, data: readme(b.Listing.ID, created)},
	)
	var sums bytes.Buffer
	for _, f := range files {
		// sha256sum's format: digest, two spaces (text mode), path.
		fmt.Fprintf(&sums, "%s  %s\n", Sum(f.data), f.Path)
	}
	files = append(files, file{ManifestFile: ManifestFile{Path: SumsName}, data: sums.Bytes()})
	for i := range files {
		files[i].SHA256, files[i].Size = Sum(files[i].data), int64(len(files[i].data))
		m.Files = append(m.Files, files[i].ManifestFile)
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	manifest = append(manifest, '\n')
	files = append([]file{
		{ManifestFile: ManifestFile{Path: ManifestName}, data: manifest},
		{ManifestFile: ManifestFile{Path: SignatureName}, data: signer.Sign(manifest), store: true},
	}, files...)

	zw := zip.NewWriter(w)
	for _, f := range files {
		method := zip.Deflate
		if f.store {
			method = zip.Store
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Path, Method: method, Modified: created})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// pagesOf returns the pages the custody log links to the listing, each
// once.
func pagesOf(events []Event) []capture {
	var out []capture
	seen := map[string]bool{}
	for _, e := range events {
		d := e.Details
		if e.Type != EventCaptured || d["kind"] != KindPage || !ValidSum(d["sha256"]) {
			continue
		}
		if k := d["sha256"] + d["record_sha256"]; !seen[k] {
			seen[k] = true
			status, _ := strconv.Atoi(d["http_status"])
			size, _ := strconv.ParseInt(d["size"], 10, 64)
			out = append(out, capture{dir: "pages", recordSum: d["record_sha256"], ev: models.Evidence{
				SHA256: d["sha256"], URL: d["url"], CapturedAt: e.At, HTTPStatus: status,
				ContentType: d["content_type"], Size: size}})
		}
	}
	return out
}

// findRecord returns the stored capture record of c, or nil when there is
// none (captures made before records were kept).
func findRecord(ctx context.Context, blobs BlobReader, c capture) ([]byte, error) {
	if c.recordSum != "" {
		return blobs.ReadRecord(ctx, c.ev.SHA256, c.recordSum)
	}
	recs, err := blobs.Records(ctx, c.ev.SHA256)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if r.Record.URL == c.ev.URL && r.Record.CapturedAt.Equal(c.ev.CapturedAt) {
			return r.Raw, nil
		}
	}
	return nil, nil
}

// extension names the file type of captured bytes from their sniffed type.
func extension(contentType string) string {
	ct, _, _ := strings.Cut(contentType, ";")
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "image/jpeg":
		return "jpg"
	case "image/png":
		return "png"
	case "image/gif":
		return "gif"
	case "image/webp":
		return "webp"
	case "image/bmp":
		return "bmp"
	case "image/tiff":
		return "tiff"
	case "text/html":
		return "html"
	case "text/plain":
		return "txt"
	case "application/json":
		return "json"
	}
	return "bin"
}

func readme(listingID string, created time.Time) []byte {
	return fmt.Appendf(nil, `EVIDENCE BUNDLE FOR LISTING %s
Made by counterlens on %s (UTC).

What is in this folder
- images/      the pictures of the offer, byte for byte as they were downloaded
               from the platform. manifest.json gives, for each, the address it
               came from, the time of download (UTC) and the server's answer code.
- pages/       the pages (platform API answers, feeds, web pages) in which the
               offer was found, byte for byte as downloaded.
- records/     one capture record per downloaded file (JSON): its address, the
               server's answer code and headers, the time of download (UTC), the
               SHA-256 of the downloaded bytes, and the program and user agent
               that downloaded it.
- listing.json the offer as counterlens recorded it, with its analysis: the score,
               the reasons, and each finding with the box where it was seen.
- custody.jsonl the chain of custody: one line per event (captured, analysed,
               reviewed, exported, deleted, removed, present_again), each
               carrying the control number of the line before it, so a removed
               or changed line breaks the chain. "removed" says when and how
               the offer was found gone from its platform (missing from the
               source's full listing, or its page answered 404 or 410);
               "present_again" when it was found there again. A removed offer
               keeps its evidence.
- manifest.json the list of every other file with its SHA-256 control number
               and size.
- manifest.sig the Ed25519 signature of manifest.json, made with the operator's key.
- public-key.pem the public key that checks manifest.sig.
- SHA256SUMS   the control numbers of the files, ready for the sha256sum tool.

Files an administrator deleted (for instance on a court order) are not in the
bundle: manifest.json lists them under "deleted" with their control number,
and custody.jsonl holds the "deleted" event that says who deleted them, when
and why.

How to check by hand that nothing was changed
1. Unzip the bundle into an empty folder and open a terminal in that folder.
2. Run:    sha256sum -c SHA256SUMS
   Every line must end in "OK". A line "FAILED" names a file that was changed.
   (On macOS: shasum -a 256 -c SHA256SUMS. On Windows PowerShell:
   Get-FileHash -Algorithm SHA256 <file> and compare with SHA256SUMS.)
3. Check that SHA256SUMS itself is the one the signed manifest lists:
   sha256sum SHA256SUMS   must print the "sha256" given for "SHA256SUMS" in
   manifest.json. Each picture's control number also equals the "sha256" of
   its record in the listing's evidence in listing.json.
4. Check the signature of the manifest (OpenSSL 3):
   openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin \
       -in manifest.json -sigfile manifest.sig
   It must print "Signature Verified Successfully". The key in public-key.pem
   should be compared with the key the operator publishes
   (GET /v1/evidence/public-key), since anyone can make a key.

Or let counterlens check everything, including the chain of custody:
   counterlens evidence verify bundle.zip [-pubkey operator-key.pem]
`, listingID, created.Format(time.RFC3339))
}
