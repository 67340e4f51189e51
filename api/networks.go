package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/network"
	"counterlens/models"
)

// NetworkStore keeps the seller networks.
type NetworkStore interface {
	Network(ctx context.Context, id string, maxShown int) (network.Network, error)
}

// maxNetworkMembers is how many members one answer lists.
const maxNetworkMembers = 200

// getNetwork handles GET /v1/networks/{id}: the listings linked by shared
// contacts, seller accounts or photos, their sellers and platforms, and the
// links. A rights holder sees only networks with a suspicion of one of its
// brands among the members shown, and of the other members only who sells
// them where.
func (s *Server) getNetwork(c *gin.Context) {
	id := c.Param("id")
	if len(id) > 100 {
		fail(c, badData("network id too long", nil))
		return
	}
	if s.Networks == nil {
		fail(c, &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Message: "seller networks are not kept by this server"})
		return
	}
	n, err := s.Networks.Network(c.Request.Context(), id, maxNetworkMembers)
	if err != nil {
		fail(c, err)
		return
	}
	p := who(c)
	if p.Key.Role == models.RoleRightsHolder {
		visible := false
		for i := range n.Members {
			m := &n.Members[i]
			if slices.ContainsFunc(m.Brands, func(b models.BrandHit) bool { return p.mayBrand(b.BrandID) }) {
				visible = true
				continue
			}
			m.URL, m.Title, m.Score, m.Brands = "", "", 0, []models.BrandHit{}
		}
		if !visible {
			fail(c, notFound("network"))
			return
		}
	}
	c.JSON(http.StatusOK, n)
}
