package score

import (
	"testing"

	"counterlens/models"
)

// TestReviewerFeedbackWeights: a confirmed photo counts at 0.90 and once
// per listing, however many pictures or brands match; the seller's
// confirmed listings count at 0.60 by their confidence, once; beside a
// named brand they lift it as docs/scoring.md says.
func TestReviewerFeedbackWeights(t *testing.T) {
	w := DefaultWeights()
	zero, one := 0, 1
	box := &models.BBox{W: 10, H: 10}
	named := models.Signal{Type: models.SignalListingTextBrand, BrandID: "puma", Confidence: 1}
	photo := func(i *int, brand string) models.Signal {
		return models.Signal{Type: models.SignalConfirmedPhoto, BrandID: brand, Confidence: 1, ImageIndex: i, BBox: box, Reason: "photo " + brand}
	}
	seller := func(c float64) models.Signal {
		return models.Signal{Type: models.SignalSellerConfirmed, Confidence: c, Reason: "seller"}
	}
	cases := []struct {
		name string
		sigs []models.Signal
		want float64
	}{
		{"a named brand alone", []models.Signal{named}, 0.3465},
		{"a named brand and its confirmed photo", []models.Signal{named, photo(&zero, "puma")}, 0.935},
		{"two confirmed pictures of two brands count once", []models.Signal{named, photo(&zero, "puma"), photo(&one, "nike")}, 0.935},
		{"a named brand, one confirmed listing of the seller", []models.Signal{named, seller(0.5)}, 0.5396},
		{"a named brand, two", []models.Signal{named, seller(0.75)}, 0.6361},
		{"a named brand, three or more", []models.Signal{named, seller(1)}, 0.7326},
		{"the seller's confirmations count once", []models.Signal{named, seller(1), seller(1)}, 0.7326},
		{"a named brand, its confirmed photo and a repeat offender", []models.Signal{named, photo(&zero, "puma"), seller(1)}, 0.974},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, reasons := Score(w, append([]models.Signal(nil), c.sigs...))
			if got != c.want {
				t.Errorf("score %.4f, want %.4f (%v)", got, c.want, reasons)
			}
		})
	}
}
