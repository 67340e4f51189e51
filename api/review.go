package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq"
	"counterlens/models"
)

// ReviewStore keeps officers' decisions and what they teach: the negative
// bank and the positive examples of each brand.
type ReviewStore interface {
	ReviewListing(ctx context.Context, listingID string, r models.Review, e evidence.Event) (models.Listing, error)
	Examples(ctx context.Context, brandID string) ([]models.Example, error)
}

// maxNote caps a review note, in characters.
const maxNote = 2000

// reviewRoutes registers the review of a listing and the brands' examples.
func (s *Server) reviewRoutes(v1 *gin.RouterGroup) {
	v1.POST("/listings/:id/review", s.reviewListing)
	v1.GET("/brands/:id/examples", s.listExamples)
}

type reviewRequest struct {
	Decision models.Decision `json:"decision"`
	Note     string          `json:"note"`
	BrandID  string          `json:"brand_id"`
}

type reviewResponse struct {
	ListingID string        `json:"listing_id"`
	Status    string        `json:"status"`
	Review    models.Review `json:"review"`
}

// reviewListing handles POST /v1/listings/{id}/review: confirm or dismiss
// the findings of an analysed listing (admin, monitor, or the rights holder
// of a brand found in it). brand_id narrows the decision to one brand; by
// default it covers every brand found that the key may act on.
func (s *Server) reviewListing(c *gin.Context) {
	var req reviewRequest
	if !s.bindJSON(c, &req) {
		return
	}
	switch {
	case !req.Decision.Valid():
		fail(c, badData(`decision must be "confirm" or "dismiss"`, nil))
		return
	case !utf8.ValidString(req.Note) || utf8.RuneCountInString(req.Note) > maxNote:
		fail(c, badData("note must be valid UTF-8 of at most 2000 characters", nil))
		return
	case len(req.BrandID) > 100:
		fail(c, badData("brand_id is too long", nil))
		return
	}
	l, p, ok := s.visibleListing(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	found := listingBrands(l)
	if l.Analysis == nil {
		fail(c, &Error{Status: http.StatusConflict, Type: typeConflict, Message: "the listing is not analysed yet"})
		return
	}
	brands := slices.DeleteFunc(slices.Clone(found), func(id string) bool { return !p.mayBrand(id) })
	if req.BrandID != "" {
		if !slices.Contains(found, req.BrandID) {
			fail(c, badData("brand_id is not a brand found in this listing", nil))
			return
		}
		if !p.mayBrand(req.BrandID) {
			fail(c, forbidden("this key may not review that brand"))
			return
		}
		brands = []string{req.BrandID}
	}
	now := time.Now().UTC()
	r := models.Review{Decision: req.Decision, Note: req.Note, BrandIDs: brands, ByKeyID: p.Key.ID, ByName: p.Key.Name, At: now}
	e := evidence.Event{Type: evidence.EventReviewed, At: now, Actor: "api key " + p.Key.ID, Details: map[string]string{
		"decision": string(r.Decision), "note": r.Note, "brand_ids": strings.Join(brands, ","),
		"key_name": p.Key.Name, "role": string(p.Key.Role), "request_id": requestID(c),
	}}
	l, err := s.Reviews.ReviewListing(ctx, l.ID, r, e)
	if errors.Is(err, redisq.ErrNotAnalysed) {
		err = &Error{Status: http.StatusConflict, Type: typeConflict, Message: "the listing is not analysed yet", Cause: err}
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, reviewResponse{ListingID: l.ID, Status: l.Review.Status(), Review: *l.Review})
}

// listExamples handles GET /v1/brands/{id}/examples: the brand's confirmed
// sightings (listing, photo, boxes), newest first.
func (s *Server) listExamples(c *gin.Context) {
	b, ok := s.brandInScope(c)
	if !ok {
		return
	}
	items, err := s.Reviews.Examples(c.Request.Context(), b.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// reviewStatuses are the values of GET /v1/suspicions?status=.
var reviewStatuses = []string{models.ReviewOpen, models.ReviewConfirmed, models.ReviewDismissed}

// suspicionStatuses reads the status filter of GET /v1/suspicions: a comma
// separated list of open, confirmed, dismissed, or "all". Absent means all:
// API.md promises every analysed listing by default; the review page asks
// for open,confirmed.
func suspicionStatuses(c *gin.Context, q *redisq.SuspicionQuery) bool {
	v := c.Query("status")
	switch {
	case v == "":
		return true
	case v == "all":
		q.Statuses = reviewStatuses
		return true
	case len(v) > 100:
		fail(c, badData("query parameter too long", nil))
		return false
	}
	for st := range strings.SplitSeq(v, ",") {
		if !slices.Contains(reviewStatuses, st) {
			fail(c, badData("status must be all, or a comma separated list of open, confirmed and dismissed", nil))
			return false
		}
		q.Statuses = append(q.Statuses, st)
	}
	return true
}
