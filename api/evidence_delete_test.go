package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// TestEvidenceDeletion: only an admin deletes a listing's evidence, with a
// reason; the bytes only that listing captured leave the store, bytes
// another listing captured too stay, the custody log says who, why and
// which, and the bundle then lists the captures as deleted and verifies.
func TestEvidenceDeletion(t *testing.T) {
	e := newEvidenceEnv(t, true)
	ctx := context.Background()
	v := newValidator(t, loadDoc(t), e.env)
	put := func(b string) string {
		sum, err := e.blobs.Put([]byte(b))
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	captured := func(listingID, sum, url string) {
		if _, err := e.store.AppendCustody(ctx, listingID, evidence.Event{Type: evidence.EventCaptured, Actor: "test",
			Details: map[string]string{"url": url, "sha256": sum}}); err != nil {
			t.Fatal(err)
		}
	}
	// Listing A has its own picture and one that listing B captured too.
	a := e.listing
	own, shared := a.Evidence[0].SHA256, put("same picture on two offers")
	a.Evidence = append(a.Evidence, models.Evidence{SHA256: shared, URL: "https://shop.example/s.png", HTTPStatus: 200})
	if err := e.store.SaveListing(ctx, a); err != nil {
		t.Fatal(err)
	}
	captured(a.ID, own, a.Evidence[0].URL)
	captured(a.ID, shared, "https://shop.example/s.png")
	sub, err := e.store.SubmitListing(ctx, models.Listing{Platform: "shop", ExternalID: "2", Title: "other bag"})
	if err != nil {
		t.Fatal(err)
	}
	b := sub.Listing
	b.Evidence = []models.Evidence{{SHA256: shared, URL: "https://shop.example/s.png", HTTPStatus: 200}}
	if err := e.store.SaveListing(ctx, b); err != nil {
		t.Fatal(err)
	}
	captured(b.ID, shared, "https://shop.example/s.png")

	path := "/v1/listings/" + a.ID + "/evidence"
	reason := `{"reason":"court order 12/345"}`
	monitor := e.createKey(models.RoleMonitor)
	for name, key := range map[string]string{"monitor": monitor, "rights holder": e.keys["Found"]} {
		t.Run(name+" is forbidden", func(t *testing.T) {
			wantError(t, v.json(http.MethodDelete, path, key, reason, 403), 403, typeForbidden)
		})
	}
	for name, body := range map[string]string{"no reason": `{}`, "blank reason": `{"reason":"  "}`,
		"long reason": `{"reason":"` + strings.Repeat("x", maxReason+1) + `"}`, "not JSON": `reason`} {
		t.Run(name, func(t *testing.T) {
			wantError(t, v.json(http.MethodDelete, path, adminKey, body, 400), 400, typeBadData)
		})
	}
	wantError(t, v.json(http.MethodDelete, "/v1/listings/nope/evidence", adminKey, reason, 404), 404, typeNotFound)
	for _, sum := range []string{own, shared} {
		if _, err := e.blobs.Get(sum); err != nil {
			t.Fatalf("a refused deletion deleted %s: %v", sum, err)
		}
	}

	var got deleteEvidenceResponse
	v.json(http.MethodDelete, path, adminKey, reason, 200).json(t, &got)
	if !slices.Equal(got.Removed, []string{own}) || !slices.Equal(got.KeptShared, []string{shared}) || len(got.Deleted) != 2 {
		t.Fatalf("answer %+v", got)
	}
	if _, err := e.blobs.Get(own); !errors.Is(err, evidence.ErrNotFound) {
		t.Fatalf("the listing's own picture is still stored: %v", err)
	}
	if _, err := e.blobs.Get(shared); err != nil {
		t.Fatalf("the picture listing B captured too was deleted: %v", err)
	}
	evs, _ := e.store.Custody(ctx, a.ID)
	last := evs[len(evs)-1]
	if last.Type != evidence.EventDeleted || last.Seq != got.CustodySeq || !strings.HasPrefix(last.Actor, "api key ") ||
		last.Details[evidence.DetailReason] != "court order 12/345" || last.Details[evidence.DetailRemoved] != own ||
		last.Details[evidence.DetailKept] != shared || len(evidence.VerifyChain(evs)) != 0 {
		t.Fatalf("custody after deletion: %+v", last)
	}
	wantError(t, v.json(http.MethodDelete, path, adminKey, reason, 409), 409, typeConflict)

	// A's bundle names both captures as deleted by the admin and verifies.
	r := e.do(http.MethodGet, path, adminKey, "", nil)
	rep := evidence.Verify(bytes.NewReader(r.body), int64(len(r.body)), e.signer.PublicKey())
	if r.status != 200 || !rep.OK() || len(rep.Deleted) != 2 || !strings.Contains(rep.Deleted[0], "court order 12/345") {
		t.Fatalf("bundle after deletion: %d %+v", r.status, rep)
	}
	// B's bundle still holds the shared picture.
	r = e.do(http.MethodGet, "/v1/listings/"+b.ID+"/evidence", adminKey, "", nil)
	rep = evidence.Verify(bytes.NewReader(r.body), int64(len(r.body)), e.signer.PublicKey())
	if r.status != 200 || !rep.OK() || len(rep.Deleted) != 0 || rep.Files != 6 {
		t.Fatalf("bundle of the other listing: %d %+v", r.status, rep)
	}
}
