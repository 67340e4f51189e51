package pipeline

import (
	"context"
	"testing"

	"counterlens/ingest/score"
	"counterlens/models"
	"counterlens/vision"
)

// reportedVision reports, for every picture, the logo detections it was
// given: the vision engine's output without its cgo, to test what the
// listing analysis does with it.
type reportedVision struct {
	refs *vision.Refs
	logo []models.Signal
}

func (v reportedVision) AnalyzeImage(context.Context, []byte, vision.ImageOptions) (models.ImageReport, error) {
	return models.ImageReport{Signals: append([]models.Signal(nil), v.logo...)}, nil
}

func (v reportedVision) Refs(context.Context) (*vision.Refs, error) { return v.refs, nil }

func TestBrandLogoConfidenceDropsWeakerDetections(t *testing.T) {
	brands := []models.Brand{
		{ID: "nike", Name: "Nike", Thresholds: &models.Thresholds{LogoConfidence: 0.8}},
		{ID: "puma", Name: "Puma"},
	}
	logo := func(brand string, c float64) models.Signal {
		return models.Signal{Type: models.SignalLogo, BrandID: brand, Confidence: c, BBox: &models.BBox{W: 10, H: 10}, Reason: brand + " mark"}
	}
	cases := map[string]struct {
		found []models.Signal
		want  []string
	}{
		"below nike's own threshold":  {[]models.Signal{logo("nike", 0.7), logo("puma", 0.7)}, []string{"puma"}},
		"above nike's own threshold":  {[]models.Signal{logo("nike", 0.85)}, []string{"nike"}},
		"a brand without a threshold": {[]models.Signal{logo("puma", 0.55)}, []string{"puma"}},
		"exactly at nike's threshold": {[]models.Signal{logo("nike", 0.8)}, []string{"nike"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			a := &Analyzer{Vision: reportedVision{refs: vision.NewRefs(1, brands), logo: c.found}, Weights: score.DefaultWeights()}
			an, err := a.Analyze(context.Background(), models.Listing{Title: "shoes"}, [][]byte{{1}}, true)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range an.Signals {
				if s.Type == models.SignalLogo {
					got = append(got, s.BrandID)
				}
			}
			if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
				t.Fatalf("logo signals of %v, want %v", got, c.want)
			}
		})
	}
}
