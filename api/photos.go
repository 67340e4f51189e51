package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/redisq"
	"counterlens/models"
	"counterlens/vision/decode"
	"counterlens/vision/phash"
)

// PhotoStore keeps the brands' official product photos (their hashes).
type PhotoStore interface {
	AddPhoto(ctx context.Context, p models.Photo) (models.Photo, error)
	OfficialPhotos(ctx context.Context) ([]models.Photo, error)
	DeletePhoto(ctx context.Context, id string) error
}

// maxPhotosPerBrand caps a brand's official photos.
const maxPhotosPerBrand = 1000

// scopedPhotos loads the official photos of the :id brand if the caller may
// see it.
func (s *Server) scopedPhotos(c *gin.Context) (models.Brand, []models.Photo, bool) {
	if s.Photos == nil {
		fail(c, &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Message: "official photos are not configured on this server"})
		return models.Brand{}, nil, false
	}
	b, ok := s.brandInScope(c)
	if !ok {
		return b, nil, false
	}
	all, err := s.Photos.OfficialPhotos(c.Request.Context())
	if err != nil {
		fail(c, err)
		return b, nil, false
	}
	items := []models.Photo{}
	for _, p := range all {
		if p.BrandID == b.ID {
			items = append(items, p)
		}
	}
	return b, items, true
}

// uploadPhoto handles POST /v1/brands/{id}/photos: multipart field "image",
// an official product photo. Its SHA-256 and perceptual hash are kept (not
// its bytes); from the answer on, analyses report its reuse.
func (s *Server) uploadPhoto(c *gin.Context) {
	b, photos, ok := s.scopedPhotos(c)
	if !ok {
		return
	}
	if len(photos) >= maxPhotosPerBrand {
		fail(c, badData(fmt.Sprintf("a brand may have at most %d official photos; delete some first", maxPhotosPerBrand), nil))
		return
	}
	data, err := s.formFile(c, "image")
	if err != nil {
		fail(c, err)
		return
	}
	img, format, err := decode.Image(data, decode.DefaultLimits())
	if err != nil {
		fail(c, err)
		return
	}
	h, err := phash.Hash(img)
	if err != nil {
		fail(c, fmt.Errorf("%w: %v", decode.ErrUndecodable, err))
		return
	}
	p, err := s.Photos.AddPhoto(c.Request.Context(), models.Photo{
		BrandID: b.ID, SHA256: sha256Hex(data), PHash: phash.Hex(h), ContentType: contentType(format),
		Width: img.Bounds().Dx(), Height: img.Bounds().Dy(),
	})
	if errors.Is(err, redisq.ErrConflict) {
		err = &Error{Status: http.StatusConflict, Type: typeConflict, Message: "this brand has this photo already (id " + p.ID + ")", Cause: err}
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}

// listPhotos handles GET /v1/brands/{id}/photos.
func (s *Server) listPhotos(c *gin.Context) {
	if _, items, ok := s.scopedPhotos(c); ok {
		c.JSON(http.StatusOK, gin.H{"items": items})
	}
}

// deletePhoto handles DELETE /v1/brands/{id}/photos/{photo}.
func (s *Server) deletePhoto(c *gin.Context) {
	if _, photos, ok := s.scopedPhotos(c); ok {
		deleteListed(c, photos, func(p models.Photo) string { return p.ID }, "photo", s.Photos.DeletePhoto)
	}
}
