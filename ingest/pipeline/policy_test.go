package pipeline

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/ingest/score"
	"counterlens/models"
	"counterlens/vision"
)

// newAnalyzer is the real analyser on the real vision engine (OCR off: the
// policy tests read listing text, not pictures) and a fresh Redis database
// as its reference set.
func newAnalyzer(t *testing.T) (*Analyzer, *redisq.Store) {
	t.Helper()
	cfg := redisq.DefaultConfig()
	cfg.URL = redistest.URL(t)
	store, err := redisq.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	vcfg := vision.DefaultConfig()
	vcfg.DisableOCR = true
	vcfg.Workers = 1
	eng, err := vision.New(vcfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &Analyzer{Vision: eng, Weights: score.DefaultWeights(), Photos: store}, store
}

func signalsOf(an models.Analysis, typ models.SignalType) []models.Signal {
	var out []models.Signal
	for _, s := range an.Signals {
		if s.Type == typ {
			out = append(out, s)
		}
	}
	return out
}

func TestPriceFloorsByCurrencyAndProductType(t *testing.T) {
	a, store := newAnalyzer(t)
	ctx := context.Background()
	nike, err := store.CreateBrand(ctx, models.Brand{Name: "Nike", AuthorizedSellers: []string{"nike-official"},
		MinPrice:  &models.Money{Amount: 40, Currency: "EUR"},
		MinPrices: []models.PriceFloor{{Amount: 80, Currency: "EUR", ProductType: "sneakers"}, {Amount: 25, Currency: "GBP"}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, title, currency, seller string
		price                         float64
		floor                         string // "" for no signal
		kind                          string
	}{
		{"sneakers under their own floor", "Nike Air Max sneakers size 42", "EUR", "", 60, "80.00 EUR", "sneakers"},
		{"sneakers above it", "Nike Air Max trainers", "eur", "", 95, "", ""},
		{"a t-shirt under the general floor", "Nike t-shirt", "EUR", "", 30, "40.00 EUR", ""},
		{"a t-shirt between the floors", "Nike t-shirt", "EUR", "", 60, "", ""},
		{"another currency's floor", "Nike sneakers", "GBP", "", 20, "25.00 GBP", ""},
		{"no floor in this currency", "Nike sneakers", "USD", "", 5, "", ""},
		{"an authorised seller", "Nike sneakers", "EUR", "Nike-Official", 10, "", ""},
		{"no price", "Nike sneakers", "EUR", "", 0, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			an, err := a.Analyze(ctx, models.Listing{Title: tc.title, Price: tc.price, Currency: tc.currency, Seller: tc.seller}, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			got := signalsOf(an, models.SignalPriceBelowFloor)
			if tc.floor == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].BrandID != nike.ID || got[0].Kind != tc.kind || !strings.Contains(got[0].Reason, tc.floor) || got[0].Confidence <= 0 {
				t.Fatalf("price signals %+v, want one for %s with floor %s", got, tc.kind, tc.floor)
			}
		})
	}

	// A new alias reaches the next analysis: the update bumps the reference
	// version.
	probe := models.Listing{Title: "swoosh runners sneakers", Price: 10, Currency: "EUR"}
	an, err := a.Analyze(ctx, probe, nil, true)
	if err != nil || len(an.Brands) != 0 {
		t.Fatalf("before the alias: %+v, %v", an.Brands, err)
	}
	nike.Aliases = []string{"swoosh"}
	if err := store.UpdateBrand(ctx, nike); err != nil {
		t.Fatal(err)
	}
	an, err = a.Analyze(ctx, probe, nil, true)
	if err != nil || len(an.Brands) != 1 || len(signalsOf(an, models.SignalPriceBelowFloor)) != 1 {
		t.Fatalf("after the alias: brands %+v signals %+v, %v", an.Brands, an.Signals, err)
	}
}
