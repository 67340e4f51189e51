package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// BlobReader reads captured bytes by their control number (hex SHA-256).
// *evidence.Blobs implements it; a missing blob is evidence.ErrNotFound.
type BlobReader interface {
	Get(sha string) ([]byte, error)
}

// imageTypes are the formats served as what they are; anything else is
// served as a download, never rendered by the browser.
var imageTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"}

// listingImage handles GET /v1/listings/{id}/images/{index}: the captured
// bytes of the analysed image number index, with the access rules of
// GET /v1/listings/{id}. A capture an admin deleted for the listing (DELETE
// /v1/listings/{id}/evidence) is not served, even while its bytes stay in
// the store for another listing that captured them too.
func (s *Server) listingImage(c *gin.Context) {
	idx, err := strconv.Atoi(c.Param("index"))
	if err != nil || idx < 0 || idx > 1000 {
		fail(c, badData("index must be a non-negative integer", err))
		return
	}
	l, _, ok := s.visibleListing(c)
	if !ok {
		return
	}
	if l.Analysis == nil {
		fail(c, notFound("image"))
		return
	}
	i := slices.IndexFunc(l.Analysis.Images, func(r models.ImageReport) bool { return r.Index == idx })
	if i < 0 || l.Analysis.Images[i].SHA256 == "" {
		fail(c, notFound("image"))
		return
	}
	sum := l.Analysis.Images[i].SHA256
	if err := s.notDeleted(c.Request.Context(), l.ID, sum); err != nil {
		fail(c, err)
		return
	}
	if s.Blobs == nil {
		fail(c, &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Message: "this server has no evidence store"})
		return
	}
	data, err := s.Blobs.Get(sum)
	if errors.Is(err, evidence.ErrNotFound) {
		fail(c, &Error{Status: http.StatusNotFound, Type: typeNotFound, Message: "image was not captured", Cause: err})
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	ct := http.DetectContentType(data)
	if !slices.Contains(imageTypes, ct) {
		ct = "application/octet-stream"
		c.Header("Content-Disposition", "attachment")
	}
	c.Header("X-Content-SHA256", sum)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	// The bytes under a control number never change; the access check does
	// not, so only the caller's browser may keep them.
	c.Header("Cache-Control", "private, max-age=86400, immutable")
	c.Data(http.StatusOK, strings.TrimSpace(ct), data)
}

// notDeleted returns a not_found error when the listing's custody log says
// an admin deleted its capture with control number sum. Without a custody
// log (no evidence parts) nothing can have been deleted through this
// server, and nothing is checked.
func (s *Server) notDeleted(ctx context.Context, listingID, sum string) error {
	if s.Evidence == nil || s.Evidence.Custody == nil {
		return nil
	}
	events, err := s.Evidence.Custody.Custody(ctx, listingID)
	if err != nil {
		return err
	}
	d, ok := evidence.DeletionOf(events, sum)
	if !ok {
		return nil
	}
	return &Error{Status: http.StatusNotFound, Type: typeNotFound, Message: fmt.Sprintf(
		"the capture of this image was deleted by an admin on %s (custody event %d of the listing)",
		d.DeletedAt.UTC().Format(time.RFC3339), d.CustodySeq)}
}
