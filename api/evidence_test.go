package api

import (
	"bytes"
	"context"
	"encoding/hex"
	"net/http"
	"testing"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// evidenceEnv is a server with the evidence routes on a real store, blob
// folder and key, and one analysed listing where brand "found" was seen.
type evidenceEnv struct {
	*env
	signer  *evidence.Signer
	blobs   *evidence.Blobs
	listing models.Listing
	keys    map[string]string // brand id -> rights holder secret
}

func newEvidenceEnv(t *testing.T, configured bool) evidenceEnv {
	t.Helper()
	ctx := context.Background()
	store, blobs, signer := newEvidenceStore(t)

	found, _ := store.CreateBrand(ctx, models.Brand{Name: "Found"})
	other, _ := store.CreateBrand(ctx, models.Brand{Name: "Other"})
	keys := map[string]string{}
	for _, b := range []models.Brand{found, other} {
		secret := newSecret()
		if _, err := store.CreateKey(ctx, models.APIKey{Name: b.Name, Role: models.RoleRightsHolder, BrandIDs: []string{b.ID}}, hashSecret(secret)); err != nil {
			t.Fatal(err)
		}
		keys[b.Name] = secret
	}
	img := []byte("\x89PNG fake picture bytes")
	sum, _ := blobs.Put(img)
	sub, err := store.SubmitListing(ctx, models.Listing{Platform: "shop", ExternalID: "1", Title: "bag"})
	if err != nil {
		t.Fatal(err)
	}
	l := sub.Listing
	l.Status = models.StatusAnalyzed
	l.Analysis = &models.Analysis{Score: 0.9, Brands: []models.BrandHit{{BrandID: found.ID, Name: "Found", Confidence: 0.9}}}
	l.Evidence = []models.Evidence{{SHA256: sum, URL: "https://shop.example/1.png", HTTPStatus: 200, ContentType: "image/png", Size: int64(len(img))}}
	if err := store.SaveListing(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AppendCustody(ctx, l.ID, evidence.Event{Type: evidence.EventCaptured, Actor: "test"}); err != nil {
		t.Fatal(err)
	}

	var opts []func(*Server)
	if configured {
		opts = append(opts, withEvidence(store, blobs, signer))
	}
	_, e := newTestServer(t, store, opts...)
	return evidenceEnv{env: e, signer: signer, blobs: blobs, listing: l, keys: keys}
}

func TestEvidenceBundleAccess(t *testing.T) {
	e := newEvidenceEnv(t, true)
	path := "/v1/listings/" + e.listing.ID + "/evidence"
	for name, c := range map[string]struct {
		key    string
		status int
	}{
		"admin":                      {adminKey, 200},
		"holder of the found brand":  {e.keys["Found"], 200},
		"holder of another brand":    {e.keys["Other"], 404},
		"no key":                     {"", 401},
		"unknown listing with admin": {adminKey, 200},
	} {
		t.Run(name, func(t *testing.T) {
			p := path
			if name == "unknown listing with admin" {
				p, c.status = "/v1/listings/nope/evidence", 404
			}
			r := e.do(http.MethodGet, p, c.key, "", nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %.200s", r.status, c.status, r.body)
			}
			if r.status != 200 {
				wantError(t, r, c.status, map[int]string{401: typeUnauthenticated, 404: typeNotFound}[c.status])
				return
			}
			rep := evidence.Verify(bytes.NewReader(r.body), int64(len(r.body)), e.signer.PublicKey())
			if !rep.OK() || !rep.UserKeyOK || rep.Files != 6 {
				t.Fatalf("bundle: %+v", rep)
			}
		})
	}
	// Each export is itself logged: captured, then the two exports above.
	evs, err := e.store.Custody(context.Background(), e.listing.ID)
	if err != nil || len(evs) != 3 || evs[2].Type != evidence.EventExported || evs[2].Details["role"] == "" {
		t.Fatalf("custody after exports: %+v, %v", evs, err)
	}
}

func TestEvidencePublicKeyNeedsNoKey(t *testing.T) {
	e := newEvidenceEnv(t, true)
	var pk publicKeyResponse
	r := e.do(http.MethodGet, "/v1/evidence/public-key", "", "", nil)
	r.json(t, &pk)
	if r.status != 200 || pk.Hex != hex.EncodeToString(e.signer.PublicKey()) || pk.Algorithm != "Ed25519" {
		t.Fatalf("%d %+v", r.status, pk)
	}
	if got, err := evidence.ParsePublicKey([]byte(pk.PEM)); err != nil || !got.Equal(e.signer.PublicKey()) {
		t.Fatalf("PEM %q: %v", pk.PEM, err)
	}
}

func TestEvidenceUnconfiguredIsUnavailable(t *testing.T) {
	e := newEvidenceEnv(t, false)
	wantError(t, e.do(http.MethodGet, "/v1/evidence/public-key", "", "", nil), 503, typeUnavailable)
	wantError(t, e.do(http.MethodGet, "/v1/listings/"+e.listing.ID+"/evidence", adminKey, "", nil), 503, typeUnavailable)
}
