package api

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// TestListingImageOfDeletedEvidence: once an admin deleted a listing's
// evidence, its pictures are no longer served for it, even those whose
// bytes stay in the store because another listing captured them too; that
// other listing still gets them, and a picture captured again after the
// deletion is served again. Every answer validates against openapi.json.
func TestListingImageOfDeletedEvidence(t *testing.T) {
	ctx := context.Background()
	store, blobs, signer := newEvidenceStore(t)
	_, e := newTestServer(t, store, withEvidence(store, blobs, signer))
	v := newValidator(t, loadDoc(t), e)
	nike := e.createBrand("Nike")
	holder := e.createKey(models.RoleRightsHolder, nike.ID)
	shared, own := pngBytes(t, 40, 30), pngBytes(t, 30, 40)
	listing := func(ext string, img []byte) string {
		sub, err := store.SubmitListing(ctx, models.Listing{Platform: "shop", ExternalID: ext, Title: "bag " + ext})
		if err != nil {
			t.Fatal(err)
		}
		l := finishWithImage(t, store, blobs, sub.Listing.ID, nike, img)
		if _, err := store.AppendCustody(ctx, l.ID, evidence.Event{Type: evidence.EventCaptured, Actor: "worker",
			Details: map[string]string{"sha256": l.Evidence[0].SHA256, "url": l.Evidence[0].URL}}); err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	a, b, c := listing("a", shared), listing("b", shared), listing("c", own)
	image := func(id string) string { return "/v1/listings/" + id + "/images/0" }
	served := func(id string, want []byte) {
		t.Helper()
		for _, k := range []string{adminKey, holder} {
			if r := v.call(http.MethodGet, image(id), k, "", nil, 200); !bytes.Equal(r.body, want) {
				t.Fatalf("%s: %d bytes, want the %d captured", image(id), len(r.body), len(want))
			}
		}
	}
	deleted := func(id string) {
		t.Helper()
		for _, k := range []string{adminKey, holder} {
			r := v.call(http.MethodGet, image(id), k, "", nil, 404)
			wantError(t, r, 404, typeNotFound)
			if !strings.Contains(string(r.body), "deleted by an admin") {
				t.Fatalf("%s: the message does not say an admin deleted it: %s", image(id), r.body)
			}
		}
	}
	served(a, shared)
	served(c, own)

	var got deleteEvidenceResponse
	v.json(http.MethodDelete, "/v1/listings/"+a+"/evidence", adminKey, `{"reason":"court order"}`, 200).json(t, &got)
	if !slices.Equal(got.KeptShared, []string{sha(shared)}) {
		t.Fatalf("deletion of a: %+v", got)
	}
	deleted(a)
	served(b, shared) // the same bytes, captured by b: not deleted for b

	v.json(http.MethodDelete, "/v1/listings/"+c+"/evidence", adminKey, `{"reason":"court order"}`, 200).json(t, &got)
	if !slices.Equal(got.Removed, []string{sha(own)}) {
		t.Fatalf("deletion of c: %+v", got)
	}
	deleted(c) // gone from the store too: still named as deleted, not "not captured"

	if _, err := store.AppendCustody(ctx, a, evidence.Event{Type: evidence.EventCaptured, Actor: "worker",
		Details: map[string]string{"sha256": sha(shared)}}); err != nil {
		t.Fatal(err)
	}
	served(a, shared)
}
