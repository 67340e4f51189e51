package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"counterlens/models"
)

type sourceRequest struct {
	Type     string `json:"type"`
	URL      string `json:"url"`
	Query    string `json:"query"`
	Interval string `json:"interval"`
}

// createSource handles POST /v1/sources.
func (s *Server) createSource(c *gin.Context) {
	var req sourceRequest
	if !s.bindJSON(c, &req) {
		return
	}
	req.Type = strings.ToLower(strings.TrimSpace(req.Type))
	if !slices.Contains(s.Connectors, req.Type) {
		fail(c, badData(fmt.Sprintf("type must be one of %s", strings.Join(s.Connectors, ", ")), nil))
		return
	}
	if len(req.URL) > maxURL || !isHTTPURL(req.URL) {
		fail(c, badData("url must be the platform's http or https base URL", nil))
		return
	}
	if len(req.Query) > maxShort {
		fail(c, badData(fmt.Sprintf("query is longer than %d characters", maxShort), nil))
		return
	}
	if req.Interval != "" {
		d, err := time.ParseDuration(req.Interval)
		if err != nil || d < time.Minute || d > 30*24*time.Hour {
			fail(c, badData("interval must be a duration from 1m to 720h, e.g. \"15m\"", err))
			return
		}
	}
	src, err := s.Sources.CreateSource(c.Request.Context(), models.Source{
		Type: req.Type, URL: strings.TrimRight(req.URL, "/"), Query: req.Query, Interval: req.Interval,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, src)
}

// listSources handles GET /v1/sources.
func (s *Server) listSources(c *gin.Context) {
	items, err := s.Sources.Sources(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// getSource handles GET /v1/sources/{id}.
func (s *Server) getSource(c *gin.Context) {
	src, err := s.Sources.Source(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, src)
}

// runSource handles POST /v1/sources/{id}/run: crawl now, in the background.
func (s *Server) runSource(c *gin.Context) {
	runID, err := s.Crawler.Start(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"run_id": runID})
}
