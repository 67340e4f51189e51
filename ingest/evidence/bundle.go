package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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
}

// ManifestFile is one file of a bundle; URL, CapturedAt and HTTPStatus are
// set for captured responses.
type ManifestFile struct {
	Path        string    `json:"path"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	URL         string    `json:"url,omitempty"`
	CapturedAt  time.Time `json:"captured_at,omitzero"`
	HTTPStatus  int       `json:"http_status,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
}

// CustodyHead names the last event of the custody log.
type CustodyHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// BlobReader returns stored bytes by control number, checked.
type BlobReader interface {
	Get(sum string) ([]byte, error)
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

// WriteBundle writes b as a zip to w: the captured bytes read from blobs
// exactly as fetched, listing.json, custody.jsonl, public-key.pem, README.txt,
// SHA256SUMS, then manifest.json and its Ed25519 signature manifest.sig.
func WriteBundle(w io.Writer, b Bundle, blobs BlobReader, signer ManifestSigner) error {
	created := b.CreatedAt.UTC()
	pub := signer.PublicKey()
	m := Manifest{Format: BundleFormat, ListingID: b.Listing.ID, CreatedAt: created, Generator: b.Generator,
		PublicKey: hex.EncodeToString(pub)}
	var files []file
	n := 0
	for _, ev := range b.Listing.Evidence {
		if ev.SHA256 == "" {
			m.FailedCaptures = append(m.FailedCaptures, ev)
			continue
		}
		data, err := blobs.Get(ev.SHA256)
		if err != nil {
			return fmt.Errorf("evidence %s of %s: %w", ev.SHA256, ev.URL, err)
		}
		n++
		files = append(files, file{ManifestFile: ManifestFile{
			Path: fmt.Sprintf("images/%d.%s", n, extension(ev.ContentType)), URL: ev.URL,
			CapturedAt: ev.CapturedAt.UTC(), HTTPStatus: ev.HTTPStatus, ContentType: ev.ContentType,
		}, data: data, store: true})
	}
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
- listing.json the offer as counterlens recorded it, with its analysis: the score,
               the reasons, and each finding with the box where it was seen.
- custody.jsonl the chain of custody: one line per event (captured, analysed,
               exported, ...), each carrying the control number of the line
               before it, so a removed or changed line breaks the chain.
- manifest.json the list of every other file with its SHA-256 control number
               and size.
- manifest.sig the Ed25519 signature of manifest.json, made with the operator's key.
- public-key.pem the public key that checks manifest.sig.
- SHA256SUMS   the control numbers of the files, ready for the sha256sum tool.

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
