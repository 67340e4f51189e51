package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/redisq"
	"counterlens/models"
)

// KeyStore keeps API keys by the hash of their secret.
type KeyStore interface {
	CreateKey(ctx context.Context, k models.APIKey, secretHash string) (models.APIKey, error)
	KeyBySecretHash(ctx context.Context, secretHash string) (models.APIKey, error)
	RevokeKey(ctx context.Context, id string) error
}

const ctxPrincipal = "principal"

// principal is who calls.
type principal struct {
	Key models.APIKey
	// bootstrap is set for COUNTERLENS_ADMIN_KEY, which has no stored key.
	bootstrap bool
}

func (p principal) admin() bool { return p.Key.Role == models.RoleAdmin }

// mayBrand reports whether the caller may act on brand id.
func (p principal) mayBrand(id string) bool {
	return p.Key.Role != models.RoleRightsHolder || slices.Contains(p.Key.BrandIDs, id)
}

func who(c *gin.Context) principal {
	p, _ := c.Get(ctxPrincipal)
	return p.(principal)
}

func hashSecret(secret string) string {
	s := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(s[:])
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "cl_" + base64.RawURLEncoding.EncodeToString(b)
}

// authenticate resolves the bearer key: the bootstrap admin key, or a stored
// one.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" || len(secret) > 256 {
		fail(c, &Error{Status: http.StatusUnauthorized, Type: typeUnauthenticated, Message: "missing API key: send Authorization: Bearer <key>"})
		return
	}
	if s.Cfg.AdminKey != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.Cfg.AdminKey)) == 1 {
		c.Set(ctxPrincipal, principal{Key: models.APIKey{ID: "bootstrap", Name: "bootstrap admin", Role: models.RoleAdmin}, bootstrap: true})
		s.admitted(c)
		return
	}
	k, err := s.Keys.KeyBySecretHash(c.Request.Context(), hashSecret(secret))
	if errors.Is(err, redisq.ErrNotFound) {
		fail(c, &Error{Status: http.StatusUnauthorized, Type: typeUnauthenticated, Message: "unknown or revoked API key"})
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(ctxPrincipal, principal{Key: k})
	s.admitted(c)
}

// admitted runs what every authenticated call goes through, wherever its
// route is registered: the key's rate limit, then the audit of changes.
func (s *Server) admitted(c *gin.Context) {
	if s.limited(c) {
		return
	}
	s.audited(c)
}

// require lets only the given roles through.
func require(roles ...models.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !slices.Contains(roles, who(c).Key.Role) {
			fail(c, forbidden("this key's role may not make this call"))
			return
		}
		c.Next()
	}
}

type createKeyRequest struct {
	Name      string            `json:"name"`
	Role      models.Role       `json:"role"`
	BrandIDs  []string          `json:"brand_ids"`
	RateLimit *models.RateLimit `json:"rate_limit"`
}

type createKeyResponse struct {
	models.APIKey
	Key string `json:"key"`
}

// createKey handles POST /v1/keys: the secret is shown only in this answer
// and stored only as a hash.
func (s *Server) createKey(c *gin.Context) {
	var req createKeyRequest
	if !s.bindJSON(c, &req) {
		return
	}
	switch {
	case strings.TrimSpace(req.Name) == "" || len(req.Name) > 200:
		fail(c, badData("name is required (at most 200 characters)", nil))
		return
	case !req.Role.Valid():
		fail(c, badData("role must be admin, rights_holder or monitor", nil))
		return
	case req.Role == models.RoleRightsHolder && len(req.BrandIDs) == 0:
		fail(c, badData("a rights_holder key needs brand_ids", nil))
		return
	case len(req.BrandIDs) > 1000:
		fail(c, badData("at most 1000 brand_ids", nil))
		return
	}
	if req.RateLimit != nil {
		l, err := validRateLimit(*req.RateLimit)
		if err != nil {
			fail(c, badData(err.Error(), nil))
			return
		}
		req.RateLimit = &l
	}
	for _, id := range req.BrandIDs {
		if _, err := s.Brands.Brand(c.Request.Context(), id); err != nil {
			if errors.Is(err, redisq.ErrNotFound) {
				err = badData("unknown brand id "+id, err)
			}
			fail(c, err)
			return
		}
	}
	secret := newSecret()
	k, err := s.Keys.CreateKey(c.Request.Context(), models.APIKey{Name: req.Name, Role: req.Role, BrandIDs: req.BrandIDs, RateLimit: req.RateLimit}, hashSecret(secret))
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "name", k.Name)
	auditDetail(c, "role", string(k.Role))
	if len(k.BrandIDs) > 0 {
		auditDetail(c, "brand_ids", strings.Join(k.BrandIDs, ","))
	}
	c.JSON(http.StatusCreated, createKeyResponse{APIKey: k, Key: secret})
}

// revokeKey handles DELETE /v1/keys/{id}.
func (s *Server) revokeKey(c *gin.Context) {
	if err := s.Keys.RevokeKey(c.Request.Context(), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
