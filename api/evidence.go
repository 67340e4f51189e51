package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// EvidenceBlobs returns captured bytes and their capture records by
// control number, after checking they still hash to it.
// *evidence.Blobs implements it.
type EvidenceBlobs interface {
	evidence.BlobReader
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
	ctx := c.Request.Context()
	l, err := s.Listings.Listing(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	p := who(c)
	if p.Key.Role == models.RoleRightsHolder && !slices.ContainsFunc(listingBrands(l), p.mayBrand) {
		fail(c, notFound("listing"))
		return
	}
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
