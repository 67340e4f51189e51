package pipeline

import (
	"context"
	"fmt"
	"math"
	"strings"

	"counterlens/ingest/network"
	"counterlens/ingest/redisq"
	"counterlens/models"
	"counterlens/vision"
)

// Feedback gives what officers' review decisions teach the score: the
// photos confirmed as counterfeit offers, and each seller's confirmed
// listings. *redisq.Store implements it.
type Feedback interface {
	ConfirmedPhotos(ctx context.Context, sha, ph string, radius int) ([]redisq.ConfirmedPhoto, error)
	SellerConfirmed(ctx context.Context, seller, except string) (redisq.SellerConfirmed, error)
}

// ConfirmedDistance is the largest pHash distance at which a picture is a
// confirmed photo: the distance the negative bank uses
// ([DismissedDistance]), so that a confirmation and a dismissal reach the
// same copies of a photo.
const ConfirmedDistance = DismissedDistance

// isFeedbackSignal reports whether s comes from officers' reviews.
func isFeedbackSignal(s models.Signal) bool {
	return s.Type == models.SignalConfirmedPhoto || s.Type == models.SignalSellerConfirmed
}

// feedbackSignals returns the signals officers' reviews give listing l with
// its analysed pictures: each picture that is a photo confirmed as a
// counterfeit offer of a brand in another listing (confirmed_photo, once
// per picture and brand, by the nearest and then latest confirmation), and
// the other listings of its seller confirmed as counterfeit offers
// (seller_confirmed).
func (a *Analyzer) feedbackSignals(ctx context.Context, refs *vision.Refs, l models.Listing, images []models.ImageReport) ([]models.Signal, error) {
	if a.Feedback == nil {
		return nil, nil
	}
	var out []models.Signal
	for _, im := range images {
		matches, err := a.Feedback.ConfirmedPhotos(ctx, im.SHA256, im.PHash, ConfirmedDistance)
		if err != nil {
			return nil, fmt.Errorf("read the confirmed photos: %w", err)
		}
		done := map[string]bool{}
		for _, m := range matches {
			if done[m.BrandID] || l.ID != "" && m.ListingID == l.ID {
				continue // its own confirmation is no news about a listing
			}
			done[m.BrandID] = true
			out = append(out, confirmedPhotoSignal(refs, im, m))
		}
	}
	if strings.TrimSpace(l.Seller) == "" {
		return out, nil // a listing without a seller name is a seller of its own
	}
	sc, err := a.Feedback.SellerConfirmed(ctx, network.SellerID(l), l.ID)
	if err != nil {
		return nil, fmt.Errorf("read the seller's confirmed listings: %w", err)
	}
	if sc.Count > 0 {
		others := "1 other listing"
		if sc.Count > 1 {
			others = fmt.Sprintf("%d other listings", sc.Count)
		}
		out = append(out, models.Signal{
			Type: models.SignalSellerConfirmed, Confidence: SellerConfirmedConfidence(sc.Count),
			Value: fmt.Sprintf("%d listings", sc.Count),
			Reason: fmt.Sprintf("an officer confirmed %s of this seller as counterfeit offers, the latest %s on %s",
				others, sc.Latest, sc.At.Format("2006-01-02")),
		})
	}
	return out, nil
}

// SellerConfirmedConfidence is the confidence of the seller_confirmed
// signal for n other confirmed listings: 0.5 for one, 0.75 for two, 1 from
// three (a repeat offender).
func SellerConfirmedConfidence(n int) float64 {
	return min(1, 0.25+0.25*float64(max(0, n)))
}

// ConfirmedPhotoConfidence is the confidence of the confirmed_photo signal
// for a picture d pHash bits from the confirmed photo: 1 for the same
// bytes (d = 0), 0.9 for other bytes within one bit (a re-encoding; other
// bytes count as one bit at least), 0.05 less per bit more: 0.65 at
// [ConfirmedDistance], where different shots of one scene begin to join
// (docs/scoring.md, "Seller networks").
func ConfirmedPhotoConfidence(d int) float64 {
	if d <= 0 {
		return 1
	}
	return math.Round((0.95-0.05*float64(d))*100) / 100
}

func confirmedPhotoSignal(refs *vision.Refs, im models.ImageReport, m redisq.ConfirmedPhoto) models.Signal {
	name := m.BrandID
	if b, ok := refs.Brand(m.BrandID); ok {
		name = b.Name
	}
	idx := im.Index
	how, method := "the photo", "sha256"
	if m.Distance > 0 {
		how, method = fmt.Sprintf("a copy (perceptual hash %d bits apart) of the photo", m.Distance), "phash"
	}
	return models.Signal{
		Type: models.SignalConfirmedPhoto, BrandID: m.BrandID, Confidence: ConfirmedPhotoConfidence(m.Distance),
		ImageIndex: &idx, BBox: mapBox(m, im), Method: method, Value: m.ListingID,
		Reason: fmt.Sprintf("picture %d is %s an officer confirmed as a counterfeit %s offer in listing %s on %s",
			idx+1, how, name, m.ListingID, m.At.Format("2006-01-02")),
	}
}

// mapBox maps the box of the confirmed finding onto picture im: as it is
// when im has the confirmed photo's size, scaled when im is a resize of it
// (the same aspect ratio within 1 %), else the whole picture.
func mapBox(m redisq.ConfirmedPhoto, im models.ImageReport) *models.BBox {
	whole := &models.BBox{W: im.Width, H: im.Height}
	switch {
	case m.BBox == nil || m.Width <= 0 || m.Height <= 0 || im.Width <= 0 || im.Height <= 0:
		return whole
	case m.Width == im.Width && m.Height == im.Height:
		b := *m.BBox
		return &b
	}
	fx, fy := float64(im.Width)/float64(m.Width), float64(im.Height)/float64(m.Height)
	if math.Abs(fx/fy-1) > 0.01 {
		return whole
	}
	b := models.BBox{
		X: int(math.Round(float64(m.BBox.X) * fx)), Y: int(math.Round(float64(m.BBox.Y) * fy)),
		W: int(math.Round(float64(m.BBox.W) * fx)), H: int(math.Round(float64(m.BBox.H) * fy)),
	}
	b.W, b.H = min(b.W, im.Width-b.X), min(b.H, im.Height-b.Y)
	return &b
}

var (
	_ Feedback    = (*redisq.Store)(nil)
	_ ReviewStore = (*redisq.Store)(nil)
)
