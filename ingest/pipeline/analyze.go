// Package pipeline is the listing path: fetch the pictures, keep them as
// evidence, analyse them with the listing's text, score, and store.
package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"counterlens/ingest/policy"
	"counterlens/ingest/score"
	"counterlens/models"
	"counterlens/vision"
	textmatch "counterlens/vision/text"
)

// Vision analyses images against the brand reference set.
type Vision interface {
	AnalyzeImage(ctx context.Context, data []byte, opt vision.ImageOptions) (models.ImageReport, error)
	Refs(ctx context.Context) (*vision.Refs, error)
}

// Analyzer judges one listing: its pictures and its text, against the
// registered brands and their policy.
type Analyzer struct {
	Vision  Vision
	Weights score.Weights
	// Region is the default phone region for numbers without a country code.
	Region string
	// Negatives, when set, drops the findings of a brand on photos where an
	// officer dismissed one before.
	Negatives NegativeBank
	// Photos, when set, gives the brands' official product photos; a
	// listing picture copying one is an image_reuse signal.
	Photos PhotoSource
	// Feedback, when set, gives officers' confirmations: a picture that is
	// a confirmed photo, a seller with confirmed listings.
	Feedback Feedback

	photos atomic.Pointer[photoSet]
}

// ImageError is an image of a listing that could not be analysed.
type ImageError struct {
	Index int
	Err   error
}

func (e *ImageError) Error() string { return fmt.Sprintf("image %d: %v", e.Index, e.Err) }
func (e *ImageError) Unwrap() error { return e.Err }

// Analyze analyses a listing and its images (in listing order). With strict,
// an image that cannot be analysed is an error (*ImageError); otherwise it is
// left out and the rest is analysed.
func (a *Analyzer) Analyze(ctx context.Context, l models.Listing, images [][]byte, strict bool) (models.Analysis, error) {
	refs, err := a.Vision.Refs(ctx)
	if err != nil {
		return models.Analysis{}, err
	}
	an := models.Analysis{Signals: []models.Signal{}, Images: []models.ImageReport{}, Brands: []models.BrandHit{}}
	for i, data := range images {
		if err := ctx.Err(); err != nil {
			return an, err
		}
		rep, err := a.Vision.AnalyzeImage(ctx, data, vision.ImageOptions{Region: a.Region})
		if err != nil {
			if strict || ctx.Err() != nil {
				return an, &ImageError{Index: i, Err: err}
			}
			continue
		}
		rep.Index = i
		for _, s := range rep.Signals {
			if weakLogo(refs, s) {
				continue
			}
			s.ImageIndex = &rep.Index
			s.Reason = fmt.Sprintf("picture %d: %s", i+1, s.Reason)
			an.Signals = append(an.Signals, s)
		}
		rep.Signals = nil
		an.Images = append(an.Images, rep)
	}
	fb, err := a.feedbackSignals(ctx, refs, l, an.Images)
	if err != nil {
		return an, err
	}
	an.Signals = append(an.Signals, fb...)
	if an.Signals, err = a.dropDismissed(ctx, an.Images, an.Signals); err != nil {
		return an, err
	}
	photos, err := a.officialPhotos(ctx, refs.Version)
	if err != nil {
		return an, err
	}
	an.Signals = append(an.Signals, reuseSignals(refs, l, an.Images, photos)...)
	an.Signals = append(an.Signals, listingSignals(refs, l, an.Signals, a.Region)...)
	a.rank(refs, &an)
	an.AnalyzedAt = time.Now().UTC()
	return an, nil
}

// listingSignals derives what only the listing as a whole shows: the text of
// its title and description, the brand seen only in the picture, the price
// below the brand's floor, the authorised seller.
func listingSignals(refs *vision.Refs, l models.Listing, pictures []models.Signal, region string) []models.Signal {
	text := strings.TrimSpace(l.Title + "\n" + l.Desc)
	out := refs.Text.FindText(text, textmatch.Options{Source: models.SourceListingText, Region: region})

	inText := map[string]bool{}
	for _, s := range out {
		if s.Type == models.SignalListingTextBrand {
			inText[s.BrandID] = true
		}
	}
	inPicture := map[string]float64{}
	where := map[string]models.Signal{} // each brand's strongest sighting in a picture
	for _, s := range pictures {
		if showsBrand(s) && s.Type != models.SignalListingTextBrand {
			if _, ok := where[s.BrandID]; !ok || s.Confidence > inPicture[s.BrandID] {
				where[s.BrandID] = s
			}
			inPicture[s.BrandID] = max(inPicture[s.BrandID], s.Confidence)
		}
	}
	found := map[string]bool{}
	for id := range inText {
		found[id] = true
	}
	for _, id := range sortedKeys(inPicture) {
		found[id] = true
		b, ok := refs.Brand(id)
		if !ok || inText[id] {
			continue
		}
		// It points at where the brand is shown, so an officer can check it.
		out = append(out, models.Signal{
			Type: models.SignalPictureOnly, BrandID: id, Confidence: inPicture[id],
			ImageIndex: where[id].ImageIndex, BBox: where[id].BBox,
			Reason: fmt.Sprintf("%s is shown in the picture but named nowhere in the title or description", b.Name),
		})
	}
	for _, id := range sortedKeys(found) {
		b, ok := refs.Brand(id)
		if !ok {
			continue
		}
		if policy.AuthorizedSeller(b, l.Seller) {
			out = append(out, models.Signal{
				Type: models.SignalAuthorizedSeller, BrandID: id, Confidence: 1, Value: l.Seller,
				Reason: fmt.Sprintf("%q is an authorised seller of %s", l.Seller, b.Name),
			})
			continue
		}
		if sig, ok := priceSignal(b, l, text); ok {
			out = append(out, sig)
		}
	}
	return out
}

// priceSignal reports a price below the floor of b that applies to l: in
// l's currency, for the product type its title and description name when b
// has a floor for it.
func priceSignal(b models.Brand, l models.Listing, text string) (models.Signal, bool) {
	f, ok := policy.FloorFor(b, l.Currency, text)
	if !ok || l.Price <= 0 || l.Price >= f.Amount {
		return models.Signal{}, false
	}
	cur := strings.ToUpper(l.Currency)
	what := "genuine " + b.Name + " product"
	if f.ProductType != "" {
		what = "genuine " + b.Name + " " + f.ProductType
	}
	return models.Signal{
		Type: models.SignalPriceBelowFloor, BrandID: b.ID, Confidence: priceConfidence(l.Price, f.Amount),
		Value: fmt.Sprintf("%.2f %s", l.Price, cur), Kind: f.ProductType,
		Reason: fmt.Sprintf("price %.2f %s is below the lowest plausible price of a %s (%.2f %s)", l.Price, cur, what, f.Amount, strings.ToUpper(f.Currency)),
	}, true
}

// priceConfidence grows with the gap: 10% below the floor is weak, half the
// floor is strong.
func priceConfidence(price, floor float64) float64 {
	gap := 1 - price/floor
	return min(1, 0.5+gap)
}

// showsBrand reports whether s finds its brand in the listing: its mark or
// name, or a copy of one of its official photos (not a photo other sellers
// share, which names no brand).
func showsBrand(s models.Signal) bool {
	switch s.Type {
	case models.SignalLogo, models.SignalImageTextBrand, models.SignalListingTextBrand:
		return true
	case models.SignalImageReuse:
		return s.Kind == models.ReuseOfficialPhoto && s.BrandID != ""
	}
	return false
}

// rank derives what follows from an's signals: the brands found and the
// score with its reasons. Every change to the signals ends with it.
func (a *Analyzer) rank(refs *vision.Refs, an *models.Analysis) {
	an.Brands = brandHits(refs, an.Signals)
	an.Score, an.Reasons = score.Score(a.Weights, an.Signals)
}

func brandHits(refs *vision.Refs, signals []models.Signal) []models.BrandHit {
	best := map[string]float64{}
	for _, s := range signals {
		// A confirmed photo names the brand it was confirmed for.
		if showsBrand(s) || s.Type == models.SignalConfirmedPhoto {
			best[s.BrandID] = max(best[s.BrandID], s.Confidence)
		}
	}
	hits := make([]models.BrandHit, 0, len(best))
	for id, c := range best {
		b, _ := refs.Brand(id)
		hits = append(hits, models.BrandHit{BrandID: id, Name: b.Name, Confidence: c})
	}
	slices.SortFunc(hits, func(a, b models.BrandHit) int {
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), cmp.Compare(a.BrandID, b.BrandID))
	})
	return hits
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
