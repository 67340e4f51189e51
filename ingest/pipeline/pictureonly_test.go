package pipeline

import (
	"testing"

	"counterlens/models"
	"counterlens/vision"
)

// The picture-only signal points at the strongest sighting of its brand in
// the pictures, so that an officer can check it there.
func TestPictureOnlyPointsAtTheBrandInThePicture(t *testing.T) {
	refs := vision.NewRefs(1, []models.Brand{{ID: "nike", Name: "Nike"}, {ID: "puma", Name: "Puma"}})
	zero, one := 0, 1
	weak := models.Signal{Type: models.SignalLogo, BrandID: "nike", Confidence: 0.6, ImageIndex: &zero,
		BBox: &models.BBox{X: 1, Y: 1, W: 10, H: 10}}
	strong := models.Signal{Type: models.SignalImageTextBrand, BrandID: "nike", Confidence: 0.9, ImageIndex: &one,
		BBox: &models.BBox{X: 50, Y: 60, W: 120, H: 30}, Source: models.SourceImageText}
	puma := models.Signal{Type: models.SignalLogo, BrandID: "puma", Confidence: 0.8, ImageIndex: &zero,
		BBox: &models.BBox{X: 200, Y: 10, W: 40, H: 40}}

	got := map[string]models.Signal{}
	for _, s := range listingSignals(refs, models.Listing{Title: "Puma sneakers size 42"}, []models.Signal{weak, strong, puma}, "") {
		if s.Type == models.SignalPictureOnly {
			got[s.BrandID] = s
		}
	}
	nike, ok := got["nike"]
	if !ok || len(got) != 1 {
		t.Fatalf("picture-only signals %+v, want one for nike (puma is named in the title)", got)
	}
	if nike.Confidence != 0.9 || nike.ImageIndex == nil || *nike.ImageIndex != 1 || nike.BBox == nil || *nike.BBox != *strong.BBox {
		t.Errorf("picture-only %+v (image %v, box %v), want confidence 0.9 at image 1, box %+v", nike, nike.ImageIndex, nike.BBox, *strong.BBox)
	}
}
