package models

import "time"

// Decision is an officer's verdict on a listing's findings.
type Decision string

// The review decisions.
const (
	// DecisionConfirm says the finding is a counterfeit offer: the photos
	// become positive examples of the brand.
	DecisionConfirm Decision = "confirm"
	// DecisionDismiss says the finding is wrong: the photos go into the
	// brand's negative bank and the finding does not come back for them.
	DecisionDismiss Decision = "dismiss"
)

// Valid reports whether d is a known decision.
func (d Decision) Valid() bool { return d == DecisionConfirm || d == DecisionDismiss }

// Suspicion review statuses, as in [Suspicion.Status].
const (
	ReviewOpen      = "open"
	ReviewConfirmed = "confirmed"
	ReviewDismissed = "dismissed"
)

// Review is the last decision taken on a listing.
type Review struct {
	Decision Decision `json:"decision"`
	Note     string   `json:"note"`
	// BrandIDs are the brands the decision applies to.
	BrandIDs []string `json:"brand_ids"`
	// ByKeyID and ByName name the API key that decided.
	ByKeyID string    `json:"by_key_id"`
	ByName  string    `json:"by_name"`
	At      time.Time `json:"at"`
}

// Status returns the suspicion status the review gives: open when r is nil.
func (r *Review) Status() string {
	switch {
	case r == nil:
		return ReviewOpen
	case r.Decision == DecisionDismiss:
		return ReviewDismissed
	}
	return ReviewConfirmed
}

// Example is a confirmed sighting of a brand: the listing, the photo and
// the boxes where the brand was found in it.
type Example struct {
	BrandID    string    `json:"brand_id"`
	ListingID  string    `json:"listing_id"`
	ImageIndex int       `json:"image_index"`
	SHA256     string    `json:"sha256"`
	PHash      string    `json:"phash"`
	BBoxes     []BBox    `json:"bboxes"`
	Note       string    `json:"note"`
	ByKeyID    string    `json:"by_key_id"`
	At         time.Time `json:"at"`
}
