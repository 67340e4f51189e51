package pipeline

import (
	"context"
	"fmt"

	"counterlens/ingest/policy"
	"counterlens/models"
	"counterlens/vision"
)

// PhotoSource gives the brands' official product photos.
type PhotoSource interface {
	OfficialPhotos(ctx context.Context) ([]models.Photo, error)
}

// photoSet is the official photos at one reference version.
type photoSet struct {
	version int64
	photos  []models.Photo
}

// officialPhotos returns the official photos, loading them again only when
// the reference version (bumped by every photo change) moved.
func (a *Analyzer) officialPhotos(ctx context.Context, version int64) ([]models.Photo, error) {
	if a.Photos == nil {
		return nil, nil
	}
	if cur := a.photos.Load(); cur != nil && cur.version == version {
		return cur.photos, nil
	}
	ps, err := a.Photos.OfficialPhotos(ctx)
	if err != nil {
		return nil, fmt.Errorf("load official photos: %w", err)
	}
	a.photos.Store(&photoSet{version: version, photos: ps})
	return ps, nil
}

// reuseSignals reports the listing pictures that copy an official product
// photo (the same bytes, or a near-duplicate within
// [policy.PhotoDistance]), unless the seller is authorised by that brand or
// the listing is on one of its official domains.
func reuseSignals(refs *vision.Refs, l models.Listing, images []models.ImageReport, photos []models.Photo) []models.Signal {
	if len(photos) == 0 {
		return nil
	}
	var out []models.Signal
	for i := range images {
		im := &images[i]
		p, d, ok := policy.PhotoMatch(photos, im.SHA256, im.PHash)
		if !ok {
			continue
		}
		b, ok := refs.Brand(p.BrandID)
		if !ok || policy.AuthorizedSeller(b, l.Seller) || policy.OnOfficialDomain(b, l.URL) {
			continue
		}
		how := "an exact copy"
		if d > 0 {
			how = fmt.Sprintf("a near-duplicate (perceptual hash distance %d)", d)
		}
		out = append(out, models.Signal{
			Type: models.SignalImageReuse, Kind: models.ReuseOfficialPhoto, BrandID: b.ID, ImageIndex: &im.Index,
			Confidence: 1 - float64(d)/20, Value: p.ID,
			Reason: fmt.Sprintf("picture %d is %s of an official %s product photo, offered by a seller who is neither an authorised seller nor on an official %s domain", im.Index+1, how, b.Name, b.Name),
		})
	}
	return out
}
