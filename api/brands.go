package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"counterlens/models"
	"counterlens/vision/decode"
	"counterlens/vision/phash"
)

type brandRequest struct {
	Name              string              `json:"name"`
	Aliases           []string            `json:"aliases"`
	MinPrice          *models.Money       `json:"min_price"`
	MinPrices         []models.PriceFloor `json:"min_prices"`
	Thresholds        *models.Thresholds  `json:"thresholds"`
	AuthorizedSellers []string            `json:"authorized_sellers"`
	OfficialDomains   []string            `json:"official_domains"`
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// createBrand handles POST /v1/brands.
func (s *Server) createBrand(c *gin.Context) {
	var req brandRequest
	if !s.bindJSON(c, &req) {
		return
	}
	nb := models.Brand{
		Name: req.Name, Aliases: req.Aliases, MinPrice: req.MinPrice, MinPrices: req.MinPrices, Thresholds: req.Thresholds,
		AuthorizedSellers: req.AuthorizedSellers, OfficialDomains: req.OfficialDomains,
	}
	if err := normalizePolicy(&nb); err != nil {
		fail(c, err)
		return
	}
	b, err := s.Brands.CreateBrand(c.Request.Context(), nb)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "name", b.Name)
	c.JSON(http.StatusCreated, b)
}

// listBrands handles GET /v1/brands; a rights holder sees its own brands.
func (s *Server) listBrands(c *gin.Context) {
	all, err := s.Brands.Brands(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	p := who(c)
	items := make([]models.Brand, 0, len(all))
	for _, b := range all {
		if p.mayBrand(b.ID) {
			items = append(items, b)
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// brandInScope loads the brand of the :id parameter if the caller may see it.
// A brand outside a rights holder's scope is reported as not found, so keys
// cannot probe which brands exist.
func (s *Server) brandInScope(c *gin.Context) (models.Brand, bool) {
	id := c.Param("id")
	if !who(c).mayBrand(id) {
		fail(c, notFound("brand"))
		return models.Brand{}, false
	}
	b, err := s.Brands.Brand(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return b, false
	}
	return b, true
}

// getBrand handles GET /v1/brands/{id}.
func (s *Server) getBrand(c *gin.Context) {
	if b, ok := s.brandInScope(c); ok {
		c.JSON(http.StatusOK, b)
	}
}

// scopedLogos loads the logos of the :id brand if the caller may see it.
func (s *Server) scopedLogos(c *gin.Context) ([]models.Logo, bool) {
	b, ok := s.brandInScope(c)
	if !ok {
		return nil, false
	}
	all, err := s.Brands.Logos(c.Request.Context())
	if err != nil {
		fail(c, err)
		return nil, false
	}
	items := []models.Logo{}
	for _, l := range all {
		if l.BrandID == b.ID {
			items = append(items, l)
		}
	}
	return items, true
}

// listLogos handles GET /v1/brands/{id}/logos.
func (s *Server) listLogos(c *gin.Context) {
	if items, ok := s.scopedLogos(c); ok {
		c.JSON(http.StatusOK, gin.H{"items": items})
	}
}

// uploadLogo handles POST /v1/brands/{id}/logos: multipart field "image".
// From the moment the answer is sent, analyses find the logo.
func (s *Server) uploadLogo(c *gin.Context) {
	b, ok := s.brandInScope(c)
	if !ok {
		return
	}
	l, data, err := s.readLogo(c, b.ID)
	if err != nil {
		fail(c, err)
		return
	}
	if l, err = s.Brands.AddLogo(c.Request.Context(), l, data); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, l)
}

// replaceLogo handles PUT /v1/brands/{id}/logos/{logo}: multipart field
// "image". The logo keeps its id; from the moment the answer is sent,
// analyses find the new image instead of the old one.
func (s *Server) replaceLogo(c *gin.Context) {
	logos, ok := s.scopedLogos(c)
	if !ok {
		return
	}
	i := slices.IndexFunc(logos, func(l models.Logo) bool { return l.ID == c.Param("logo") })
	if i < 0 {
		fail(c, notFound("logo"))
		return
	}
	l, data, err := s.readLogo(c, logos[i].BrandID)
	if err != nil {
		fail(c, err)
		return
	}
	l.ID = logos[i].ID
	if l, err = s.Brands.AddLogo(c.Request.Context(), l, data); err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "previous_sha256", logos[i].SHA256)
	c.JSON(http.StatusOK, l)
}

// readLogo reads, decodes and hashes the uploaded "image" of a logo of
// brand brandID.
func (s *Server) readLogo(c *gin.Context, brandID string) (models.Logo, []byte, error) {
	data, err := s.formFile(c, "image")
	if err != nil {
		return models.Logo{}, nil, err
	}
	img, format, err := decode.Logo(data, decode.DefaultLimits())
	if err != nil {
		return models.Logo{}, nil, err
	}
	h, err := phash.Hash(img)
	if err != nil {
		return models.Logo{}, nil, fmt.Errorf("%w: %v", decode.ErrUndecodable, err)
	}
	return models.Logo{
		BrandID: brandID, SHA256: sha256Hex(data), PHash: phash.Hex(h), ContentType: contentType(format),
		Width: img.Bounds().Dx(), Height: img.Bounds().Dy(),
	}, data, nil
}

// deleteLogo handles DELETE /v1/brands/{id}/logos/{logo}.
func (s *Server) deleteLogo(c *gin.Context) {
	if logos, ok := s.scopedLogos(c); ok {
		deleteListed(c, logos, func(l models.Logo) string { return l.ID }, "logo", s.Brands.DeleteLogo)
	}
}

// deleteListed deletes the item of list (what the caller may see) named by
// the route parameter param, and answers 204; an item not in list is 404.
func deleteListed[T any](c *gin.Context, list []T, idOf func(T) string, param string, del func(context.Context, string) error) {
	i := slices.IndexFunc(list, func(it T) bool { return idOf(it) == c.Param(param) })
	if i < 0 {
		fail(c, notFound(param))
		return
	}
	if err := del(c.Request.Context(), idOf(list[i])); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func contentType(format string) string {
	if format == "svg" {
		return "image/svg+xml"
	}
	return "image/" + format
}

// formFile reads one uploaded file under the image size limit.
func (s *Server) formFile(c *gin.Context, field string) ([]byte, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.Cfg.MaxImageBytes+1<<20)
	fh, err := c.FormFile(field)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, badData(fmt.Sprintf("multipart form with a file field %q is required", field), err)
	}
	return s.readPart(fh.Size, func() (io.ReadCloser, error) { return fh.Open() })
}

func (s *Server) readPart(size int64, open func() (io.ReadCloser, error)) ([]byte, error) {
	if size > s.Cfg.MaxImageBytes {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Type: typeTooLarge,
			Message: fmt.Sprintf("image is over the limit of %d bytes", s.Cfg.MaxImageBytes)}
	}
	f, err := open()
	if err != nil {
		return nil, badData("cannot read uploaded file", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.Cfg.MaxImageBytes+1))
	if err != nil {
		return nil, badData("cannot read uploaded file", err)
	}
	if int64(len(data)) > s.Cfg.MaxImageBytes {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Type: typeTooLarge,
			Message: fmt.Sprintf("image is over the limit of %d bytes", s.Cfg.MaxImageBytes)}
	}
	if len(data) == 0 {
		return nil, badData("uploaded file is empty", nil)
	}
	return data, nil
}
