package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/fetch"
	"counterlens/ingest/redisq"
	"counterlens/models"
)

// WebhookStore keeps webhooks and their delivery logs.
type WebhookStore interface {
	CreateWebhook(ctx context.Context, h models.Webhook, secret string) (models.Webhook, error)
	Webhook(ctx context.Context, id string) (models.Webhook, error)
	Webhooks(ctx context.Context) ([]models.Webhook, error)
	DeleteWebhook(ctx context.Context, id string) error
	Deliveries(ctx context.Context, hookID string, limit int) ([]models.WebhookDelivery, error)
}

// maxHooksPerKey caps the webhooks one key may hold.
const maxHooksPerKey = 100

// webhookRoutes registers the alert webhooks. Every role may hold hooks: a
// rights holder for its brands, others for one brand or everything.
func (s *Server) webhookRoutes(v1 *gin.RouterGroup) {
	v1.POST("/webhooks", s.createWebhook)
	v1.GET("/webhooks", s.listWebhooks)
	v1.DELETE("/webhooks/:id", s.deleteWebhook)
	v1.GET("/webhooks/:id/deliveries", s.listDeliveries)
}

type webhookRequest struct {
	URL      string  `json:"url"`
	BrandID  string  `json:"brand_id"`
	MinScore float64 `json:"min_score"`
}

type webhookCreated struct {
	models.Webhook
	// Secret signs every delivery; it is shown only here.
	Secret string `json:"secret"`
}

// checkHookURL refuses what the delivery could not or must not reach: not
// http(s), credentials in the URL, and (unless private targets are allowed)
// loopback, private and other non-public hosts given literally. Names that
// resolve to such addresses are refused by the fetcher's guard at delivery.
func checkHookURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > maxURL || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return badData("url must be an http or https URL without credentials, at most 2048 characters", err)
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return badData("url must not point to this machine", nil)
	}
	if a, err := netip.ParseAddr(host); err == nil && !fetch.IsPublicAddr(a) {
		return badData("url must point to a public address", nil)
	}
	return nil
}

// createWebhook handles POST /v1/webhooks: the secret that signs the
// deliveries is shown only in this answer.
func (s *Server) createWebhook(c *gin.Context) {
	var req webhookRequest
	if !s.bindJSON(c, &req) {
		return
	}
	req.URL = strings.TrimSpace(req.URL)
	if err := checkHookURL(req.URL, s.Cfg.AllowPrivateHooks); err != nil {
		fail(c, err)
		return
	}
	if req.MinScore < 0 || req.MinScore > 1 || math.IsNaN(req.MinScore) {
		fail(c, badData("min_score must be a number from 0 to 1", nil))
		return
	}
	ctx := c.Request.Context()
	p := who(c)
	if req.BrandID != "" {
		if len(req.BrandID) > 100 || !p.mayBrand(req.BrandID) {
			fail(c, forbidden("this key may not watch that brand"))
			return
		}
		if _, err := s.Brands.Brand(ctx, req.BrandID); err != nil {
			if errors.Is(err, redisq.ErrNotFound) {
				err = badData("unknown brand_id", err)
			}
			fail(c, err)
			return
		}
	}
	all, err := s.Webhooks.Webhooks(ctx)
	if err != nil {
		fail(c, err)
		return
	}
	n := 0
	for _, h := range all {
		if h.KeyID == p.Key.ID {
			n++
		}
	}
	if n >= maxHooksPerKey {
		fail(c, badData("this key holds the most webhooks it may (100); delete one first", nil))
		return
	}
	secret := newHookSecret()
	h, err := s.Webhooks.CreateWebhook(ctx, models.Webhook{URL: req.URL, BrandID: req.BrandID, MinScore: req.MinScore,
		KeyID: p.Key.ID, Role: p.Key.Role, BrandIDs: p.Key.BrandIDs}, secret)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, webhookCreated{Webhook: h, Secret: secret})
}

func newHookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// listWebhooks handles GET /v1/webhooks: an admin sees every hook, other
// keys their own.
func (s *Server) listWebhooks(c *gin.Context) {
	all, err := s.Webhooks.Webhooks(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	p := who(c)
	items := make([]models.Webhook, 0, len(all))
	for _, h := range all {
		if p.admin() || h.KeyID == p.Key.ID {
			items = append(items, h)
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// ownHook returns the webhook of the path if the caller holds it (or is
// an admin); anything else is not found.
func (s *Server) ownHook(c *gin.Context) (models.Webhook, bool) {
	h, err := s.Webhooks.Webhook(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return h, false
	}
	if p := who(c); !p.admin() && h.KeyID != p.Key.ID {
		fail(c, notFound("webhook"))
		return h, false
	}
	return h, true
}

// deleteWebhook handles DELETE /v1/webhooks/{id}.
func (s *Server) deleteWebhook(c *gin.Context) {
	h, ok := s.ownHook(c)
	if !ok {
		return
	}
	if err := s.Webhooks.DeleteWebhook(c.Request.Context(), h.ID); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listDeliveries handles GET /v1/webhooks/{id}/deliveries: the delivery
// log, newest first (limit default 50, max 1000).
func (s *Server) listDeliveries(c *gin.Context) {
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			fail(c, badData("limit must be an integer from 1 to 1000", err))
			return
		}
		limit = n
	}
	h, ok := s.ownHook(c)
	if !ok {
		return
	}
	items, err := s.Webhooks.Deliveries(c.Request.Context(), h.ID, limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
