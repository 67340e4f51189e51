package pipeline

import (
	"context"
	"testing"

	"counterlens/models"
)

// bankOf is a negative bank held in a map, per brand.
type bankOf map[string]map[string]string

func (b bankOf) DismissedImages(_ context.Context, brandID string) (map[string]string, error) {
	return b[brandID], nil
}

func TestDropDismissed(t *testing.T) {
	zero, one, two := 0, 1, 2
	images := []models.ImageReport{
		{Index: 0, SHA256: "same-bytes", PHash: "ffffffffffffffff"},
		{Index: 1, SHA256: "re-encoded", PHash: "00000000000000fc"}, // 2 bits from the banked one
		{Index: 2, SHA256: "other", PHash: "0000ffff0000ffff"},
	}
	signals := []models.Signal{
		{Type: models.SignalLogo, BrandID: "nike", ImageIndex: &zero},
		{Type: models.SignalImageTextBrand, BrandID: "nike", ImageIndex: &one},
		{Type: models.SignalLogo, BrandID: "nike", ImageIndex: &two},
		{Type: models.SignalLogo, BrandID: "puma", ImageIndex: &zero},
		{Type: models.SignalRiskTerm, Value: "replica", ImageIndex: &zero},
		{Type: models.SignalListingTextBrand, BrandID: "nike"},
	}
	a := &Analyzer{Negatives: bankOf{"nike": {"same-bytes": "1234123412341234", "x": "00000000000000ff"}}}
	got, err := a.dropDismissed(context.Background(), images, signals)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"logo nike 2", "logo puma 0", "risk_term  0", "listing_text_brand nike -"}
	if len(got) != len(want) {
		t.Fatalf("kept %d signals %+v, want %v", len(got), got, want)
	}
	for i, s := range got {
		idx := "-"
		if s.ImageIndex != nil {
			idx = string(rune('0' + *s.ImageIndex))
		}
		if k := string(s.Type) + " " + s.BrandID + " " + idx; k != want[i] {
			t.Errorf("signal %d is %q, want %q", i, k, want[i])
		}
	}
	if len(signals) != 6 || signals[1].BrandID != "nike" {
		t.Errorf("the input was changed: %+v", signals)
	}
}
