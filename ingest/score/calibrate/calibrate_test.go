package calibrate

import (
	"fmt"
	"math"
	"testing"

	"counterlens/ingest/score"
	"counterlens/models"
)

func sig(t models.SignalType, brand string, c float64) models.Signal {
	return models.Signal{Type: t, BrandID: brand, Confidence: c, Reason: string(t)}
}

func TestAveragePrecisionAndPrecisionAtK(t *testing.T) {
	// Scores 0.7 (pos), 0.6 (neg), 0.3 (pos), 0 (neg): AP = (1/1 + 2/3) / 2.
	w := score.DefaultWeights()
	w.Logo, w.RiskTerm, w.ListingTextBrand = 0.7, 0.6, 0.3
	ex := []Example{
		{ID: "a", Positive: true, Signals: []models.Signal{sig(models.SignalLogo, "b", 1)}},
		{ID: "b", Signals: []models.Signal{sig(models.SignalRiskTerm, "", 1)}},
		{ID: "c", Positive: true, Signals: []models.Signal{sig(models.SignalListingTextBrand, "b", 1)}},
		{ID: "d"},
	}
	r := Rank(w, ex)
	order := ""
	for _, x := range r {
		order += x.ID
	}
	if order != "abcd" {
		t.Fatalf("ranked %s, want abcd", order)
	}
	if ap, want := AveragePrecision(r), (1+2.0/3)/2; math.Abs(ap-want) > 1e-12 {
		t.Errorf("AP %v, want %v", ap, want)
	}
	for k, want := range map[int]float64{1: 1, 2: 0.5, 3: 2.0 / 3, 10: 0.5, 0: 0} {
		if got := PrecisionAt(r, k); math.Abs(got-want) > 1e-12 {
			t.Errorf("P@%d = %v, want %v", k, got, want)
		}
	}
	if len(ex[0].Signals) != 1 || ex[0].Signals[0].Weight != 0 {
		t.Errorf("Rank changed the examples' signals: %+v", ex[0].Signals)
	}
	if r[0].Signals[0].Weight == 0 || len(r[0].Reasons) != 1 {
		t.Errorf("ranked copy not scored: %+v", r[0])
	}
}

func TestTiesCountAgainstTheRanking(t *testing.T) {
	// A positive and a negative with the same signals: the negative ranks
	// first, so AP is 1/2, not 1.
	same := []models.Signal{sig(models.SignalLogo, "b", 0.9)}
	r := Rank(score.DefaultWeights(), []Example{{ID: "p", Positive: true, Signals: same}, {ID: "n", Signals: same}})
	if r[0].ID != "n" || AveragePrecision(r) != 0.5 {
		t.Fatalf("tie ranked %s first, AP %v", r[0].ID, AveragePrecision(r))
	}
	if AveragePrecision(Rank(score.DefaultWeights(), []Example{{ID: "n"}})) != 0 {
		t.Fatal("AP without positives must be 0")
	}
}

func TestFitRaisesWhatSeparatesAndKeepsTheRest(t *testing.T) {
	// Positives show a contact, negatives a risk term, and the start
	// weights rank risk above contact: AP is as low as it gets. The fit
	// must turn that around and leave the weights nothing speaks to alone.
	var ex []Example
	for i := range 10 {
		ex = append(ex,
			Example{ID: fmt.Sprintf("p%d", i), Positive: true, Signals: []models.Signal{sig(models.SignalContact, "", 1)}},
			Example{ID: fmt.Sprintf("n%d", i), Signals: []models.Signal{sig(models.SignalRiskTerm, "", 1)}})
	}
	start := score.DefaultWeights()
	start.RiskTerm, start.Contact = 0.6, 0.3
	before := AveragePrecision(Rank(start, ex))
	w, ap := Fit(start, ex, Params(), 5)
	if ap != 1 || AveragePrecision(Rank(w, ex)) != 1 {
		t.Fatalf("fit reached AP %v (before %v), weights %+v", ap, before, w)
	}
	// Any risk weight below 0.30 separates the sets; the nearest to 0.60
	// is 0.25, and then nothing is left for contact to improve.
	if w.RiskTerm != 0.25 || w.Contact != 0.3 {
		t.Errorf("risk %v, contact %v: want the smallest change, 0.25 and 0.30", w.RiskTerm, w.Contact)
	}
	if w.Logo != start.Logo || w.PictureOnly != start.PictureOnly || w.SellerNetwork != start.SellerNetwork {
		t.Errorf("weights without evidence moved: %+v", w)
	}
	if start.RiskTerm != 0.6 {
		t.Error("Fit changed its start weights")
	}
	for _, p := range Params() {
		v := *p.Ptr(&w)
		if v != round2(v) {
			t.Errorf("%s = %v, not rounded to two decimals", p.Name, v)
		}
	}
}
