// Package score turns a listing's signals into one suspicion score with its
// reasons. It is pure Go and deterministic.
//
// The model is a noisy-OR: each kind of evidence e has a weight w_e (how
// strongly it alone suggests a counterfeit offer), scaled by the signal's
// confidence, and
//
//	score = (1 - Π (1 - w_e·c_e)) · suppression
//
// so independent reasons add up without ever exceeding 1, and one strong
// reason is enough to rank a listing high. Per kind only the strongest
// signals count (two risk terms, not twenty), so a seller cannot inflate or
// an OCR stutter cannot fake a score. An authorised seller's listing is
// suppressed, not dropped: an officer can still find it.
package score

import (
	"cmp"
	"slices"

	"counterlens/models"
)

// Weights are the model's parameters. docs/scoring.md explains each.
type Weights struct {
	Logo             float64
	ImageTextBrand   float64
	ListingTextBrand float64
	RiskTerm         float64
	Contact          float64
	PriceBelowFloor  float64
	PictureOnly      float64
	ImageReuse       float64
	// CrossSellerReuse is the weight of an image_reuse signal of kind
	// cross_seller: the same photo shown by several distinct sellers.
	CrossSellerReuse float64
	// SellerNetwork is the weight of the seller_network signal: the seller
	// is linked to other sellers by shared contacts, accounts or photos.
	SellerNetwork float64
	// Other is the weight of signal types the model does not know yet.
	Other float64
	// AuthorizedSeller multiplies the score of an authorised seller's listing.
	AuthorizedSeller float64
	// PerType caps how many signals of one type count.
	PerType map[models.SignalType]int
}

// DefaultWeights are the defaults. The weights of the signals one
// listing's analysis finds (logo to picture-only) are fitted on development
// listings by make bench-ranking (docs/scoring.md); the network and reuse
// weights and the suppression are set by reasoning.
func DefaultWeights() Weights {
	return Weights{
		Logo:             0.40,
		ImageTextBrand:   0.85,
		ListingTextBrand: 0.75,
		RiskTerm:         0.60,
		Contact:          0.60,
		PriceBelowFloor:  0.55,
		PictureOnly:      0.70,
		ImageReuse:       0.40,
		CrossSellerReuse: 0.25,
		SellerNetwork:    0.30,
		Other:            0.20,
		AuthorizedSeller: 0.15,
		PerType:          map[models.SignalType]int{models.SignalRiskTerm: 2, models.SignalContact: 2},
	}
}

func (w Weights) of(s models.Signal) float64 {
	switch s.Type {
	case models.SignalLogo:
		return w.Logo
	case models.SignalImageTextBrand:
		return w.ImageTextBrand
	case models.SignalListingTextBrand:
		return w.ListingTextBrand
	case models.SignalRiskTerm:
		return w.RiskTerm
	case models.SignalContact:
		return w.Contact
	case models.SignalPriceBelowFloor:
		return w.PriceBelowFloor
	case models.SignalPictureOnly:
		return w.PictureOnly
	case models.SignalImageReuse:
		if s.Kind == models.ReuseCrossSeller {
			return w.CrossSellerReuse
		}
		return w.ImageReuse
	case models.SignalSellerNetwork:
		return w.SellerNetwork
	case models.SignalAuthorizedSeller:
		return 0
	}
	return w.Other
}

// Score sets each signal's Weight (its contribution), sorts the signals by
// it, strongest first, and returns the score and the reasons in that order.
func Score(w Weights, signals []models.Signal) (float64, []string) {
	for i := range signals {
		signals[i].Weight = w.of(signals[i]) * clamp(signals[i].Confidence)
	}
	slices.SortStableFunc(signals, func(a, b models.Signal) int { return cmp.Compare(b.Weight, a.Weight) })

	counted := map[models.SignalType]int{}
	brandSeen := map[string]bool{} // a brand counts once, by its strongest sighting
	crossSeller := false           // photos shown by other sellers count once: one fact, one seller
	miss := 1.0
	suppress := 1.0
	reasons := []string{}
	for i := range signals {
		s := &signals[i]
		if s.Type == models.SignalAuthorizedSeller {
			suppress = w.AuthorizedSeller
			reasons = append(reasons, s.Reason)
			continue
		}
		counts := true
		switch s.Type {
		case models.SignalLogo, models.SignalImageTextBrand, models.SignalListingTextBrand:
			counts = !brandSeen[s.BrandID]
			brandSeen[s.BrandID] = true
		case models.SignalImageReuse:
			if s.Kind == models.ReuseCrossSeller {
				counts, crossSeller = !crossSeller, true
			}
		default:
			if limit, ok := w.PerType[s.Type]; ok && counted[s.Type] >= limit {
				counts = false
			}
		}
		if !counts {
			s.Weight = 0
			continue
		}
		counted[s.Type]++
		miss *= 1 - s.Weight
		if s.Reason != "" {
			reasons = append(reasons, s.Reason)
		}
	}
	slices.SortStableFunc(signals, func(a, b models.Signal) int { return cmp.Compare(b.Weight, a.Weight) })
	return round((1 - miss) * suppress), reasons
}

func clamp(c float64) float64 {
	switch {
	case c < 0:
		return 0
	case c > 1:
		return 1
	}
	return c
}

// round keeps scores stable in JSON and in rankings (4 decimals).
func round(x float64) float64 { return float64(int64(x*10000+0.5)) / 10000 }
