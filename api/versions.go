package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"counterlens/models"
)

// ListingVersionStore is a [ListingStore] that keeps the earlier versions of
// a listing whose content changed.
type ListingVersionStore interface {
	ListingVersions(ctx context.Context, id string) ([]models.Listing, error)
}

// listingVersions handles GET /v1/listings/{id}/versions: every version of
// the listing, oldest first, the current one last, each with the analysis
// and evidence it had. A rights holder sees them when one of its brands was
// found in any version.
func (s *Server) listingVersions(c *gin.Context) {
	vs, ok := s.Listings.(ListingVersionStore)
	if !ok {
		fail(c, notFound("listing versions"))
		return
	}
	items, err := vs.ListingVersions(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	p := who(c)
	if p.Key.Role == models.RoleRightsHolder && !slices.ContainsFunc(items, p.mayListing) {
		fail(c, notFound("listing"))
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
