//go:build !cgo

package ocr

import (
	"context"
	"image"

	"counterlens/models"
)

// Pool is unavailable without cgo.
type Pool struct{}

// NewPool returns ErrUnavailable without cgo.
func NewPool(cfg Config) (*Pool, error) { return nil, ErrUnavailable }

// Recognize returns ErrUnavailable without cgo.
func (p *Pool) Recognize(ctx context.Context, img image.Image) ([]models.Word, error) {
	return nil, ErrUnavailable
}

// Close does nothing without cgo.
func (p *Pool) Close() error { return nil }
