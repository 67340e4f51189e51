package pipeline

import (
	"context"
	"fmt"

	"counterlens/models"
	"counterlens/vision/phash"
)

// NegativeBank holds, per brand, the photos on which an officer dismissed a
// finding of that brand (sha256 -> phash). *redisq.Store implements it.
type NegativeBank interface {
	DismissedImages(ctx context.Context, brandID string) (map[string]string, error)
}

// DismissedDistance is the largest pHash distance at which a photo counts
// as one dismissed before (a re-encoding or resize of it); unrelated photos
// are typically beyond 20.
const DismissedDistance = 6

// dropDismissed removes the findings of a brand from the photos in its
// negative bank, matched by control number or perceptual hash, so a
// dismissed finding does not come back for the same photo.
func (a *Analyzer) dropDismissed(ctx context.Context, images []models.ImageReport, signals []models.Signal) ([]models.Signal, error) {
	if a.Negatives == nil {
		return signals, nil
	}
	byIndex := map[int]models.ImageReport{}
	for _, im := range images {
		byIndex[im.Index] = im
	}
	banks := map[string]map[string]string{}
	dismissed := func(brandID string, im models.ImageReport) (bool, error) {
		bank, ok := banks[brandID]
		if !ok {
			var err error
			if bank, err = a.Negatives.DismissedImages(ctx, brandID); err != nil {
				return false, fmt.Errorf("read the negative bank of brand %s: %w", brandID, err)
			}
			banks[brandID] = bank
		}
		if _, ok := bank[im.SHA256]; ok {
			return true, nil
		}
		h, err := phash.ParseHex(im.PHash)
		if err != nil {
			return false, nil
		}
		for _, hex := range bank {
			if g, err := phash.ParseHex(hex); err == nil && phash.Distance(h, g) <= DismissedDistance {
				return true, nil
			}
		}
		return false, nil
	}
	out := signals[:0:0]
	for _, s := range signals {
		if s.BrandID != "" && s.ImageIndex != nil {
			if im, ok := byIndex[*s.ImageIndex]; ok {
				drop, err := dismissed(s.BrandID, im)
				if err != nil {
					return signals, err
				}
				if drop {
					continue
				}
			}
		}
		out = append(out, s)
	}
	return out, nil
}
