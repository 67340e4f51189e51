// Package api serves counterlens's HTTP API (../shared/API.md) with gin.
// It knows nothing of Redis or OpenCV: it declares the small interfaces its
// handlers need, and cmd plugs the real parts in.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"counterlens/ingest/redisq"
	"counterlens/models"
)

// Config configures the API.
type Config struct {
	// AdminKey, when set, is accepted as an admin API key.
	AdminKey string
	// RequestTimeout bounds every request.
	RequestTimeout time.Duration
	// MaxJSONBytes caps JSON bodies.
	MaxJSONBytes int64
	// MaxImageBytes caps one uploaded image.
	MaxImageBytes int64
	// MaxImages caps the images of one analysis.
	MaxImages int
	// AllowPrivateHooks accepts webhook URLs on loopback and private
	// addresses (COUNTERLENS_ALLOW_PRIVATE_FETCH).
	AllowPrivateHooks bool
	// RateLimit is the call rate of a key without its own; a zero Burst
	// means twice PerSecond.
	RateLimit models.RateLimit
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		RequestTimeout: 120 * time.Second,
		MaxJSONBytes:   1 << 20,
		MaxImageBytes:  15 << 20,
		MaxImages:      10,
		RateLimit:      DefaultRateLimit(),
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.RequestTimeout <= 0 || c.MaxJSONBytes <= 0 || c.MaxImageBytes <= 0 || c.MaxImages <= 0 {
		return errors.New("api: timeouts and limits must be positive")
	}
	if c.AdminKey != "" && len(c.AdminKey) < 16 {
		return errors.New("api: the admin key must have at least 16 characters")
	}
	if _, err := validRateLimit(c.RateLimit); err != nil {
		return fmt.Errorf("api: default %w", err)
	}
	return nil
}

// BrandStore keeps brands and their reference logos.
type BrandStore interface {
	CreateBrand(ctx context.Context, b models.Brand) (models.Brand, error)
	Brand(ctx context.Context, id string) (models.Brand, error)
	Brands(ctx context.Context) ([]models.Brand, error)
	UpdateBrand(ctx context.Context, b models.Brand) error
	AddLogo(ctx context.Context, l models.Logo, data []byte) (models.Logo, error)
	Logos(ctx context.Context) ([]models.Logo, error)
	DeleteLogo(ctx context.Context, id string) error
}

// ListingStore keeps listings and ranks suspicions.
type ListingStore interface {
	SubmitListing(ctx context.Context, l models.Listing) (redisq.Submitted, error)
	Listing(ctx context.Context, id string) (models.Listing, error)
	Suspicions(ctx context.Context, q redisq.SuspicionQuery) ([]models.Suspicion, string, error)
}

// SourceStore keeps the sources to crawl.
type SourceStore interface {
	CreateSource(ctx context.Context, s models.Source) (models.Source, error)
	Source(ctx context.Context, id string) (models.Source, error)
	Sources(ctx context.Context) ([]models.Source, error)
}

// Crawler starts a crawl of a source in the background.
type Crawler interface {
	Start(ctx context.Context, sourceID string) (string, error)
}

// Analyzer analyses a listing in-process (POST /v1/analyze).
type Analyzer interface {
	Analyze(ctx context.Context, l models.Listing, images [][]byte, strict bool) (models.Analysis, error)
}

// Pinger tells whether the store answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server holds the API's dependencies.
type Server struct {
	Cfg      Config
	Keys     KeyStore
	Brands   BrandStore
	Listings ListingStore
	Sources  SourceStore
	Crawler  Crawler
	Analyzer Analyzer
	Health   Pinger
	Evidence *EvidenceParts
	Log      *slog.Logger
	// Registry collects the metrics served at /metrics.
	Registry *prometheus.Registry
	// Connectors lists the source types that can be crawled.
	Connectors []string
	// Blobs reads captured images (GET /v1/listings/{id}/images/{index}).
	Blobs BlobReader
	// Reviews keeps review decisions, negative banks and examples.
	Reviews ReviewStore
	// Webhooks keeps the alert webhooks and their delivery logs.
	Webhooks WebhookStore
	// Networks reads seller networks (GET /v1/networks/{id}).
	Networks NetworkStore
	// Limiter, when set, limits the calls of each key (the bootstrap admin
	// key excepted).
	Limiter RateLimiter
	// Audit, when set, records every change and serves GET /v1/audit.
	Audit AuditLog
	// Photos, when set, keeps the brands' official product photos.
	Photos PhotoStore
}

// Handler returns the router.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	m := newMetrics(s.Registry)
	r.Use(withRequestID, logRequests(s.Log, m), recoverPanics(s.Log), renderErrors, withDeadline(s.Cfg.RequestTimeout))
	r.NoRoute(noRoute)
	r.NoMethod(noMethod)

	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.ready)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{})))
	s.webRoutes(r)

	admin, monitor, holder := models.RoleAdmin, models.RoleMonitor, models.RoleRightsHolder
	s.Cfg.RateLimit, _ = validRateLimit(s.Cfg.RateLimit)
	v1 := r.Group("/v1", s.authenticate)
	v1.POST("/keys", require(admin), s.createKey)
	v1.DELETE("/keys/:id", require(admin), s.revokeKey)
	v1.GET("/audit", require(admin), s.listAudit)

	v1.POST("/brands", require(admin), s.createBrand)
	v1.GET("/brands", s.listBrands)
	v1.GET("/brands/:id", s.getBrand)
	v1.PATCH("/brands/:id", require(admin, holder), s.patchBrand)
	v1.POST("/brands/:id/logos", require(admin, holder), s.uploadLogo)
	v1.GET("/brands/:id/logos", s.listLogos)
	v1.DELETE("/brands/:id/logos/:logo", require(admin, holder), s.deleteLogo)
	v1.PUT("/brands/:id/logos/:logo", require(admin, holder), s.replaceLogo)
	v1.POST("/brands/:id/photos", require(admin, holder), s.uploadPhoto)
	v1.GET("/brands/:id/photos", require(admin, holder), s.listPhotos)
	v1.DELETE("/brands/:id/photos/:photo", require(admin, holder), s.deletePhoto)

	v1.POST("/analyze", require(admin, monitor), s.analyze)
	v1.POST("/listings", require(admin, monitor), s.submitListing)
	v1.GET("/listings/:id", s.getListing)
	v1.GET("/listings/:id/images/:index", s.listingImage)
	v1.GET("/listings/:id/versions", s.listingVersions)
	v1.GET("/suspicions", s.listSuspicions)
	s.reviewRoutes(v1)
	s.webhookRoutes(v1)
	v1.GET("/networks/:id", s.getNetwork)

	v1.POST("/sources", require(admin, monitor), s.createSource)
	v1.GET("/sources", require(admin, monitor), s.listSources)
	v1.GET("/sources/:id", require(admin, monitor), s.getSource)
	v1.POST("/sources/:id/run", require(admin, monitor), s.runSource)
	s.evidenceRoutes(r)
	return r
}

// ready handles GET /readyz: 200 when Redis answers.
func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.Health.Ping(ctx); err != nil {
		fail(c, &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Message: "redis does not answer", Cause: err})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// bindJSON decodes a JSON body under the size limit. Unknown fields are
// ignored: other systems may send objects they read from us back, with
// fields this version does not take.
func (s *Server) bindJSON(c *gin.Context, v any) bool {
	body := http.MaxBytesReader(c.Writer, c.Request.Body, s.Cfg.MaxJSONBytes)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(c, err)
			return false
		}
		fail(c, badData("body must be a JSON object of the documented shape: "+jsonProblem(err), err))
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		fail(c, badData("body must hold one JSON object", nil))
		return false
	}
	return true
}

// jsonProblem says what is wrong with a JSON body without echoing it.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "malformed JSON"
	case errors.As(err, &te):
		return "field " + te.Field + " has the wrong type"
	case errors.Is(err, io.EOF):
		return "empty body"
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return msg
}
