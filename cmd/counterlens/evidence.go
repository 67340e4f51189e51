package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"counterlens/api"
	"counterlens/ingest/evidence"
)

// openBlobs opens the evidence store: COUNTERLENS_BLOB_URL when set, else
// the folder <data dir>/evidence.
func openBlobs(cfg config) (*evidence.Blobs, error) {
	if cfg.BlobURL == "" {
		return evidence.NewBlobs(filepath.Join(cfg.DataDir, "evidence"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return evidence.OpenBlobs(ctx, cfg.BlobURL)
}

// evidence gathers what the evidence routes of serve need: the blob store
// the workers fill, the signing key and the custody log.
func (p *parts) evidence(blobs *evidence.Blobs) (*api.EvidenceParts, error) {
	var signer *evidence.Signer
	var err error
	if p.cfg.EvidenceKeyFile != "" {
		signer, err = evidence.LoadSigner(p.cfg.EvidenceKeyFile)
	} else {
		signer, err = evidence.LoadOrCreateSigner(filepath.Join(p.cfg.DataDir, "evidence-key"))
	}
	if err != nil {
		return nil, err
	}
	return &api.EvidenceParts{Blobs: blobs, Signer: signer, Custody: p.store, Generator: "counterlens " + version}, nil
}

const evidenceUsage = `usage: counterlens evidence verify [-pubkey FILE] BUNDLE.zip

Checks an evidence bundle made by GET /v1/listings/{id}/evidence: every
file's SHA-256 and size against manifest.json, that the zip holds no file
the manifest does not list, the Ed25519 signature manifest.sig with the key
in the bundle and, with -pubkey, with the operator's key (PEM or hex, from
GET /v1/evidence/public-key), each capture record against the manifest,
and the hash chain of custody.jsonl. Captures an admin deleted are listed
(DELETED lines) with the custody event that deleted them; each time the
listing was found removed from its platform or present again is listed
(LISTING lines) with the custody event that logged it.
Exit status 0 when everything holds, 1 when something differs, 2 on misuse.
`

// runEvidence runs "counterlens evidence <subcommand>".
func runEvidence(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, evidenceUsage)
		return 2
	}
	fs := flag.NewFlagSet("evidence verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, evidenceUsage) }
	pubFile := fs.String("pubkey", "", "the operator's public key file (PEM or 64 hex digits)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	var userKey ed25519.PublicKey
	if *pubFile != "" {
		b, err := os.ReadFile(*pubFile)
		if err != nil {
			fmt.Fprintln(stderr, "counterlens evidence verify:", err)
			return 2
		}
		if userKey, err = evidence.ParsePublicKey(b); err != nil {
			fmt.Fprintf(stderr, "counterlens evidence verify: %s: %v\n", *pubFile, err)
			return 2
		}
	}
	name := fs.Arg(0)
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintln(stderr, "counterlens evidence verify:", err)
		return 2
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fmt.Fprintln(stderr, "counterlens evidence verify:", err)
		return 2
	}
	rep := evidence.Verify(f, st.Size(), userKey)
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "FAILED", p)
	}
	for _, d := range rep.Deleted {
		fmt.Fprintln(stdout, "DELETED", d)
	}
	for _, p := range rep.Presence {
		fmt.Fprintln(stdout, "LISTING", p)
	}
	say := func(ok bool, what string) {
		if ok {
			fmt.Fprintln(stdout, "OK", what)
		}
	}
	say(rep.EmbeddedKeyOK, "signature of manifest.json with the key in the bundle (proves only that the bundle is unchanged since it was signed)")
	say(rep.UserKeyOK, "signature of manifest.json with the key of "+*pubFile+" (proves who signed it)")
	if *pubFile == "" && rep.EmbeddedKeyOK {
		fmt.Fprintln(stdout, "NOTE no -pubkey given: compare public-key.pem with the operator's published key")
	}
	if !rep.OK() {
		fmt.Fprintf(stdout, "%s: %d problem(s) found\n", name, len(rep.Problems))
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK: %d files and %d custody events verified", name, rep.Files, rep.Events)
	if len(rep.Deleted) > 0 {
		fmt.Fprintf(stdout, "; %d capture(s) deleted by an admin, as logged", len(rep.Deleted))
	}
	fmt.Fprintln(stdout)
	return 0
}
