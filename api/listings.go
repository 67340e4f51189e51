package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/redisq"
	"counterlens/models"
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Text limits of a listing.
const (
	maxTitle = 1000
	maxDesc  = 20000
	maxShort = 300
	maxURL   = 2048
)

// listingFields are the listing fields of API.md, common to POST /v1/analyze
// (form) and POST /v1/listings (JSON).
type listingFields struct {
	Platform    string   `json:"platform"`
	ExternalID  string   `json:"external_id"`
	URL         string   `json:"url"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Price       float64  `json:"price"`
	Currency    string   `json:"currency"`
	Seller      string   `json:"seller"`
	ImageURLs   []string `json:"image_urls"`
}

func (f listingFields) validate(maxImages int) error {
	for _, c := range []struct {
		name  string
		value string
		max   int
	}{
		{"platform", f.Platform, maxShort}, {"external_id", f.ExternalID, maxShort}, {"url", f.URL, maxURL},
		{"title", f.Title, maxTitle}, {"description", f.Description, maxDesc}, {"seller", f.Seller, maxShort},
	} {
		if utf8.RuneCountInString(c.value) > c.max {
			return badData(fmt.Sprintf("%s is longer than %d characters", c.name, c.max), nil)
		}
		if !utf8.ValidString(c.value) {
			return badData(c.name+" is not valid UTF-8", nil)
		}
	}
	if f.Price < 0 || math.IsNaN(f.Price) || math.IsInf(f.Price, 0) {
		return badData("price must be a non-negative number", nil)
	}
	if f.Currency != "" && len(f.Currency) != 3 {
		return badData("currency must be a 3-letter ISO 4217 code", nil)
	}
	if f.URL != "" && !isHTTPURL(f.URL) {
		return badData("url must be an http or https URL", nil)
	}
	if len(f.ImageURLs) > maxImages {
		return badData(fmt.Sprintf("at most %d image_urls", maxImages), nil)
	}
	for _, u := range f.ImageURLs {
		if len(u) > maxURL || !isHTTPURL(u) {
			return badData("each image_url must be an http or https URL", nil)
		}
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (f listingFields) listing() models.Listing {
	return models.Listing{
		Platform: strings.ToLower(strings.TrimSpace(f.Platform)), ExternalID: f.ExternalID, URL: f.URL,
		Title: f.Title, Desc: f.Description, Price: f.Price, Currency: strings.ToUpper(f.Currency),
		Seller: f.Seller, ImageURLs: f.ImageURLs,
	}
}

// analyze handles POST /v1/analyze: multipart images and listing fields,
// analysed in-process.
func (s *Server) analyze(c *gin.Context) {
	limit := int64(s.Cfg.MaxImages)*s.Cfg.MaxImageBytes + 1<<20
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	form, err := c.MultipartForm()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(c, err)
			return
		}
		fail(c, badData("body must be a multipart form with one or more file fields \"image\"", err))
		return
	}
	defer form.RemoveAll()
	files := form.File["image"]
	if len(files) == 0 {
		fail(c, badData("at least one file field \"image\" is required", nil))
		return
	}
	if len(files) > s.Cfg.MaxImages {
		fail(c, badData(fmt.Sprintf("at most %d images per analysis", s.Cfg.MaxImages), nil))
		return
	}
	val := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := listingFields{Platform: val("platform"), URL: val("url"), Title: val("title"),
		Description: val("description"), Currency: val("currency"), Seller: val("seller")}
	if p := val("price"); p != "" {
		if f.Price, err = strconv.ParseFloat(strings.ReplaceAll(p, ",", "."), 64); err != nil {
			fail(c, badData("price must be a number", err))
			return
		}
	}
	if err := f.validate(s.Cfg.MaxImages); err != nil {
		fail(c, err)
		return
	}
	images := make([][]byte, 0, len(files))
	for _, fh := range files {
		data, err := s.readPart(fh.Size, func() (io.ReadCloser, error) { return fh.Open() })
		if err != nil {
			fail(c, err)
			return
		}
		images = append(images, data)
	}
	an, err := s.Analyzer.Analyze(c.Request.Context(), f.listing(), images, true)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, an)
}

type submitResponse struct {
	ListingID string `json:"listing_id"`
	JobID     string `json:"job_id"`
	// Queued is false when the same listing was submitted before unchanged.
	Queued bool `json:"queued"`
}

// submitListing handles POST /v1/listings: the worker fetches and analyses.
func (s *Server) submitListing(c *gin.Context) {
	var f listingFields
	if !s.bindJSON(c, &f) {
		return
	}
	if err := f.validate(s.Cfg.MaxImages); err != nil {
		fail(c, err)
		return
	}
	if f.Platform == "" {
		f.Platform = "api"
	}
	sub, err := s.Listings.SubmitListing(c.Request.Context(), f.listing())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, submitResponse{ListingID: sub.Listing.ID, JobID: sub.Job.ID, Queued: sub.Queued})
}

// listingBrands are the brands found in a listing.
func listingBrands(l models.Listing) []string {
	if l.Analysis == nil {
		return nil
	}
	ids := make([]string, 0, len(l.Analysis.Brands))
	for _, b := range l.Analysis.Brands {
		ids = append(ids, b.BrandID)
	}
	return ids
}

// mayListing reports whether the caller may see listing l: a rights holder
// only where one of its brands was found.
func (p principal) mayListing(l models.Listing) bool {
	return p.Key.Role != models.RoleRightsHolder || slices.ContainsFunc(listingBrands(l), p.mayBrand)
}

// visibleListing loads the listing the route's id names, for the caller. A
// listing the caller may not see is answered as not found, so that its
// existence is not disclosed; either failure is written to c, and ok is
// false.
func (s *Server) visibleListing(c *gin.Context) (l models.Listing, p principal, ok bool) {
	l, err := s.Listings.Listing(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return l, p, false
	}
	p = who(c)
	if !p.mayListing(l) {
		fail(c, notFound("listing"))
		return l, p, false
	}
	return l, p, true
}

// getListing handles GET /v1/listings/{id}. A rights holder sees only the
// listings where one of its brands was found.
func (s *Server) getListing(c *gin.Context) {
	l, _, ok := s.visibleListing(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, l)
}

type suspicionsResponse struct {
	Items      []models.Suspicion `json:"items"`
	NextCursor string             `json:"next_cursor"`
}

// listSuspicions handles GET /v1/suspicions: ranked, highest score first.
func (s *Server) listSuspicions(c *gin.Context) {
	q := redisq.SuspicionQuery{
		BrandID: c.Query("brand_id"), Platform: strings.ToLower(c.Query("platform")),
		Cursor: c.Query("cursor"),
	}
	if len(q.BrandID) > 100 || len(q.Platform) > maxShort || len(q.Cursor) > 200 {
		fail(c, badData("query parameter too long", nil))
		return
	}
	pg, err := readPage(c)
	if err != nil {
		fail(c, err)
		return
	}
	q.Limit, q.Since, q.Until = pg.Limit, pg.Since, pg.Until
	if v := c.Query("min_score"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 1 || math.IsNaN(f) {
			fail(c, badData("min_score must be a number from 0 to 1", err))
			return
		}
		q.MinScore = f
	}
	if !suspicionStatuses(c, &q) {
		return
	}
	p := who(c)
	if p.Key.Role == models.RoleRightsHolder {
		if q.BrandID != "" && !p.mayBrand(q.BrandID) {
			fail(c, forbidden("this key may not see that brand's suspicions"))
			return
		}
		q.AnyBrand = p.Key.BrandIDs
		mins, err := s.brandMinScores(c.Request.Context(), q.AnyBrand)
		if err != nil {
			fail(c, err)
			return
		}
		q.BrandMinScore = mins
	}
	items, next, err := s.Listings.Suspicions(c.Request.Context(), q)
	if err != nil {
		fail(c, err)
		return
	}
	if items == nil {
		items = []models.Suspicion{}
	}
	c.JSON(http.StatusOK, suspicionsResponse{Items: items, NextCursor: next})
}
