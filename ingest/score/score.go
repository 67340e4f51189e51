// Package score turns a listing's signals into one suspicion score with its
// reasons. It is pure Go and deterministic.
//
// The model is a noisy-OR: each kind of evidence e has a weight w_e (how
// strongly it alone suggests a counterfeit offer), scaled by the signal's
// confidence, and
//
//	score = (1 - Π (1 - w_e·c_e)) · suppression · no_brand · text_only
//
// so independent reasons add up without ever exceeding 1, and one strong
// reason is enough to rank a listing high. The factors lower a listing in
// which no registered brand was found ([Weights.NoBrand]) and one with no
// reason to check in a picture ([Weights.TextOnly]). Per kind only the strongest
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
	// DisguisedBrand is the weight of a brand name spelt so that a text
	// search misses it ("RED BUL1", "S A M S U N G"): hiding the brand
	// from the platform's search is what counterfeit sellers do.
	DisguisedBrand float64
	ImageReuse     float64
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
	// NoBrand multiplies the score of a listing in which no registered
	// brand was found (its mark, its name in a picture or the text, its
	// official photo): risk terms, contacts or a seller network alone
	// point at no rights holder's brand. 1 leaves such listings as they are.
	NoBrand float64
	// TextOnly multiplies the score of a listing none of whose reasons
	// can be checked in a picture ([Pictured]): at equal evidence, the
	// suspicion an officer can confirm on the goods' photo comes first.
	TextOnly float64
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
		ImageTextBrand:   0.45,
		ListingTextBrand: 0.35,
		RiskTerm:         0.95,
		Contact:          0.95,
		PriceBelowFloor:  0.55,
		PictureOnly:      0.75,
		DisguisedBrand:   0.80,
		ImageReuse:       0.40,
		CrossSellerReuse: 0.15,
		SellerNetwork:    0.20,
		Other:            0.20,
		AuthorizedSeller: 0.15,
		NoBrand:          0.85,
		TextOnly:         0.99,
		PerType: map[models.SignalType]int{models.SignalRiskTerm: 2, models.SignalContact: 2,
			models.SignalPriceBelowFloor: 1, models.SignalDisguisedBrand: 1},
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
	case models.SignalDisguisedBrand:
		return w.DisguisedBrand
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
//
// A price below a brand's floor is weighed by how surely the brand is
// there (its strongest sighting's confidence): a floor applies only as far
// as the product is that brand's, and a faint mark must not bring a
// luxury floor to a cheap mug. (A price signal whose brand has no
// sighting among signals is weighed as it is.)
func Score(w Weights, signals []models.Signal) (float64, []string) {
	sighted := map[string]float64{} // each brand's strongest sighting
	for _, s := range signals {
		if sighting(s) {
			sighted[s.BrandID] = max(sighted[s.BrandID], clamp(s.Confidence))
		}
	}
	for i := range signals {
		s := &signals[i]
		s.Weight = w.of(*s) * clamp(s.Confidence)
		if c, ok := sighted[s.BrandID]; ok && s.Type == models.SignalPriceBelowFloor {
			s.Weight *= c
		}
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
	if len(sighted) == 0 {
		suppress *= w.NoBrand
	}
	if !Pictured(signals) {
		suppress *= w.TextOnly
	}
	return round((1 - miss) * suppress), reasons
}

// Pictured reports whether scored signals hold a reason a person can
// check in a picture: a signal with a box that counted (Weight > 0), or
// a sighting with a box of a brand (its mark, its name in the picture).
// A brand counts once, by its strongest sighting, often the listing's
// text; its mark in the photo is still there to check.
func Pictured(signals []models.Signal) bool {
	return slices.ContainsFunc(signals, func(s models.Signal) bool {
		return s.BBox != nil && (s.Weight > 0 || sighting(s))
	})
}

// sighting reports whether s finds a registered brand in the listing: its
// mark, its name in a picture or the text, or its official photo.
func sighting(s models.Signal) bool {
	if s.BrandID == "" {
		return false
	}
	switch s.Type {
	case models.SignalLogo, models.SignalImageTextBrand, models.SignalListingTextBrand:
		return true
	case models.SignalImageReuse:
		return s.Kind == models.ReuseOfficialPhoto
	}
	return false
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
