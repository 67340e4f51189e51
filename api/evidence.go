package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// EvidenceBlobs returns captured bytes and their capture records by
// control number, after checking they still hash to it.
// *evidence.Blobs implements it.
type EvidenceBlobs interface {
	evidence.BlobReader
	// Delete removes the bytes with a control number and their capture
	// records; deleting what is not there is not an error.
	Delete(ctx context.Context, sum string) error
}

// EvidenceSigner signs bundle manifests with the operator's Ed25519 key.
type EvidenceSigner interface {
	Sign(msg []byte) []byte
	PublicKey() ed25519.PublicKey
}

// CustodyLog keeps each listing's hash-chained custody events.
type CustodyLog interface {
	AppendCustody(ctx context.Context, listingID string, e evidence.Event) (evidence.Event, error)
	Custody(ctx context.Context, listingID string) ([]evidence.Event, error)
	// DeleteEvidence logs a "deleted" event for sums and drops the
	// listing's references to them; it returns the sealed event and the
	// sums no other listing references, whose bytes may go.
	DeleteEvidence(ctx context.Context, listingID string, sums []string, e evidence.Event) (evidence.Event, []string, error)
	// EvidenceReferenced reports whether a listing still references sum.
	EvidenceReferenced(ctx context.Context, sum string) (bool, error)
}

// EvidenceParts are what the evidence routes need. Without them (nil
// Server.Evidence) the routes answer 503.
type EvidenceParts struct {
	Blobs   EvidenceBlobs
	Signer  EvidenceSigner
	Custody CustodyLog
	// Generator names the software in each manifest, e.g. "counterlens 1.2.0".
	Generator string
}

// evidenceRoutes registers the evidence bundle and the public key. The key
// is public on purpose: an investigator or a court checks a bundle with it
// and has no API key.
func (s *Server) evidenceRoutes(r *gin.Engine) {
	admin, monitor, holder := models.RoleAdmin, models.RoleMonitor, models.RoleRightsHolder
	r.GET("/v1/evidence/public-key", s.evidencePublicKey)
	r.GET("/v1/listings/:id/evidence", s.authenticate, require(admin, monitor, holder), s.listingEvidence)
	r.DELETE("/v1/listings/:id/evidence", s.authenticate, require(admin), s.deleteListingEvidence)
}

func (s *Server) evidenceParts() (*EvidenceParts, error) {
	if s.Evidence == nil {
		return nil, &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Message: "evidence bundles are not configured on this server"}
	}
	return s.Evidence, nil
}

type publicKeyResponse struct {
	Algorithm string `json:"algorithm"`
	Hex       string `json:"hex"`
	PEM       string `json:"pem"`
}

// evidencePublicKey handles GET /v1/evidence/public-key (no key needed): the
// Ed25519 key that checks every bundle's manifest.sig, as hex and PEM.
func (s *Server) evidencePublicKey(c *gin.Context) {
	ev, err := s.evidenceParts()
	if err != nil {
		fail(c, err)
		return
	}
	pub := ev.Signer.PublicKey()
	c.JSON(http.StatusOK, publicKeyResponse{Algorithm: "Ed25519", Hex: hex.EncodeToString(pub), PEM: string(evidence.PublicKeyPEM(pub))})
}

// listingEvidence handles GET /v1/listings/{id}/evidence: the signed zip
// bundle of everything captured for the listing. Making it is logged as an
// "exported" custody event, which the bundle's own log already holds. A
// rights holder gets only listings where one of its brands was found.
func (s *Server) listingEvidence(c *gin.Context) {
	ev, err := s.evidenceParts()
	if err != nil {
		fail(c, err)
		return
	}
	l, p, ok := s.visibleListing(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	now := time.Now().UTC()
	if _, err := ev.Custody.AppendCustody(ctx, l.ID, evidence.Event{Type: evidence.EventExported, At: now,
		Actor: "api key " + p.Key.ID, Details: map[string]string{
			"key_name": p.Key.Name, "role": string(p.Key.Role), "request_id": requestID(c),
		}}); err != nil {
		fail(c, err)
		return
	}
	events, err := ev.Custody.Custody(ctx, l.ID)
	if err != nil {
		fail(c, err)
		return
	}
	var buf bytes.Buffer
	b := evidence.Bundle{Listing: l, Custody: events, Generator: ev.Generator, CreatedAt: now}
	if err := evidence.WriteBundle(ctx, &buf, b, ev.Blobs, ev.Signer); err != nil {
		fail(c, &Error{Status: http.StatusInternalServerError, Type: typeInternal,
			Message: "the captured bytes of this listing cannot be read from the evidence store", Cause: err})
		return
	}
	c.Header("Content-Disposition", `attachment; filename="evidence-`+l.ID+`.zip"`)
	c.Data(http.StatusOK, "application/zip", buf.Bytes())
}

// maxReason caps the reason given for a deletion, in characters.
const maxReason = 2000

type deleteEvidenceRequest struct {
	Reason string `json:"reason"`
}

type deleteEvidenceResponse struct {
	ListingID string `json:"listing_id"`
	// CustodySeq is the "deleted" event in the listing's custody log.
	CustodySeq int64 `json:"custody_seq"`
	// Deleted are the control numbers deleted for the listing; Removed
	// those whose bytes left the store, KeptShared those kept because
	// another listing captured the same bytes.
	Deleted    []string `json:"deleted"`
	Removed    []string `json:"removed"`
	KeptShared []string `json:"kept_shared"`
}

// deleteListingEvidence handles DELETE /v1/listings/{id}/evidence (admin
// only), JSON {"reason": "…"}: it deletes the bytes the listing captured
// (pictures and pages), except those another listing captured too, and
// logs a "deleted" custody event naming the key, the reason and every
// control number; bundles then list those captures as deleted by an
// admin. Nothing else ever deletes evidence.
func (s *Server) deleteListingEvidence(c *gin.Context) {
	ev, err := s.evidenceParts()
	if err != nil {
		fail(c, err)
		return
	}
	var req deleteEvidenceRequest
	if !s.bindJSON(c, &req) {
		return
	}
	reason := strings.TrimSpace(req.Reason)
	switch {
	case reason == "":
		fail(c, badData("reason is required: say why this evidence is deleted (it is kept in the custody log)", nil))
		return
	case utf8.RuneCountInString(reason) > maxReason || !utf8.ValidString(reason):
		fail(c, badData(fmt.Sprintf("reason must be valid UTF-8 of at most %d characters", maxReason), nil))
		return
	}
	ctx := c.Request.Context()
	l, err := s.Listings.Listing(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	events, err := ev.Custody.Custody(ctx, l.ID)
	if err != nil {
		fail(c, err)
		return
	}
	// Bytes an earlier deletion logged as removed but could not remove.
	unfinished, err := s.unremoved(ctx, ev, events)
	if err != nil {
		fail(c, err)
		return
	}
	var sums []string
	for _, e := range l.Evidence {
		sums = append(sums, e.SHA256)
	}
	sums = evidence.CapturedSums(sums, events)
	if len(sums) == 0 {
		if err := removeBlobs(ctx, ev, unfinished, 0); err != nil {
			fail(c, err)
			return
		}
		fail(c, &Error{Status: http.StatusConflict, Type: typeConflict, Message: "this listing holds no captured evidence left to delete"})
		return
	}
	p := who(c)
	sealed, removed, err := ev.Custody.DeleteEvidence(ctx, l.ID, sums, evidence.Event{At: time.Now().UTC(),
		Actor: "api key " + p.Key.ID, Details: map[string]string{
			evidence.DetailReason: reason, "key_name": p.Key.Name, "role": string(p.Key.Role), "request_id": requestID(c),
		}})
	if err != nil {
		fail(c, err)
		return
	}
	if err := removeBlobs(ctx, ev, append(removed, unfinished...), sealed.Seq); err != nil {
		fail(c, err)
		return
	}
	kept := []string{}
	for _, sum := range sums {
		if !slices.Contains(removed, sum) {
			kept = append(kept, sum)
		}
	}
	s.Log.Info("evidence deleted", "listing_id", l.ID, "key_id", p.Key.ID, "custody_seq", sealed.Seq,
		"deleted", len(sums), "removed", len(removed), "request_id", requestID(c))
	c.JSON(http.StatusOK, deleteEvidenceResponse{ListingID: l.ID, CustodySeq: sealed.Seq, Deleted: sums,
		Removed: append([]string{}, removed...), KeptShared: kept})
}

// unremoved returns the control numbers earlier "deleted" events of the
// log say were removed, that no listing references now: their bytes
// should be gone, and are removed again in case a store error kept them.
func (s *Server) unremoved(ctx context.Context, ev *EvidenceParts, events []evidence.Event) ([]string, error) {
	var out []string
	for _, e := range events {
		if e.Type != evidence.EventDeleted {
			continue
		}
		for _, sum := range strings.Split(e.Details[evidence.DetailRemoved], ",") {
			if !evidence.ValidSum(sum) || slices.Contains(out, sum) {
				continue
			}
			ref, err := ev.Custody.EvidenceReferenced(ctx, sum)
			if err != nil {
				return nil, err
			}
			if !ref {
				out = append(out, sum)
			}
		}
	}
	return out, nil
}

// removeBlobs deletes the bytes of sums from the store; seq names the
// custody event that logged it, for the message.
func removeBlobs(ctx context.Context, ev *EvidenceParts, sums []string, seq int64) error {
	var errs []error
	for _, sum := range sums {
		if err := ev.Blobs.Delete(ctx, sum); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	logged := "an earlier deletion is logged"
	if seq > 0 {
		logged = fmt.Sprintf("the deletion is logged (custody event %d)", seq)
	}
	return &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Cause: errors.Join(errs...),
		Message: fmt.Sprintf("%s, but %d file(s) could not be removed from the evidence store yet; call again to finish", logged, len(errs))}
}
