package network

import (
	"slices"
	"testing"

	"counterlens/ingest/score"
	"counterlens/models"
)

func TestKeysNormaliseWhatLinksSellers(t *testing.T) {
	l := models.Listing{ID: "l1", Platform: " eBay ", Seller: "Shoe-King ", Analysis: &models.Analysis{
		Signals: []models.Signal{
			{Type: models.SignalContact, Kind: models.ContactWhatsApp, Value: "+447700900123"},
			{Type: models.SignalContact, Kind: models.ContactPhone, Value: "+447700900123"}, // the same number
			{Type: models.SignalContact, Kind: models.ContactTelegram, Value: "ShoeKing"},
			{Type: models.SignalContact, Kind: models.ContactURL, Value: "shop.example"}, // names nobody
			{Type: models.SignalRiskTerm, Value: "replica"},
		},
		Images: []models.ImageReport{
			{Index: 0, SHA256: "aa", PHash: "8f3c0a1b2c3d4e5f"},
			{Index: 1, SHA256: "bb", PHash: "0000000000000000"}, // flat: no phash key
		},
	}}
	var got []string
	for _, k := range Keys(l) {
		got = append(got, k.String())
	}
	want := []string{"seller:ebay:shoe-king", "contact:phone:+447700900123", "contact:telegram:shoeking",
		"photo:sha256:aa", "photo:phash:8f3c0a1b2c3d4e5f", "photo:sha256:bb"}
	if !slices.Equal(got, want) {
		t.Fatalf("keys\n got %q\nwant %q", got, want)
	}
	for _, k := range Keys(l) {
		back, ok := ParseKey(k.String())
		if !ok || back.Kind != k.Kind || back.Type != k.Type || back.Value != k.Value {
			t.Errorf("ParseKey(%q) = %+v, %v", k.String(), back, ok)
		}
	}
	if SellerID(l) != "ebay:shoe-king" || SellerID(models.Listing{ID: "x"}) != "listing:x" {
		t.Errorf("SellerID: %q, %q", SellerID(l), SellerID(models.Listing{ID: "x"}))
	}
	if s := ParseSeller("listing:x"); s.ListingID != "x" || s.Platform != "" {
		t.Errorf("ParseSeller(listing:x) = %+v", s)
	}
}

func TestSignalsGrowWithTheNetwork(t *testing.T) {
	alone := Signals(Facts{Network: "n", Size: 3, Sellers: 1})
	if len(alone) != 0 {
		t.Fatalf("one seller with three listings is no network signal: %+v", alone)
	}
	prev := 0.0
	for sellers := 2; sellers <= 7; sellers++ {
		sigs := Signals(Facts{Network: "n", Size: sellers, Sellers: sellers})
		if len(sigs) != 1 || sigs[0].Type != models.SignalSellerNetwork {
			t.Fatalf("%d sellers: %+v", sellers, sigs)
		}
		if c := sigs[0].Confidence; c < prev || c > 1 {
			t.Fatalf("%d sellers: confidence %v after %v", sellers, c, prev)
		}
		prev = sigs[0].Confidence
	}
	if prev != 1 {
		t.Errorf("seven sellers: confidence %v, want 1", prev)
	}
	sigs := Signals(Facts{Network: "n", Size: 2, Sellers: 2, PhotoSellers: map[int]int{1: 3}})
	if len(sigs) != 2 || sigs[1].Type != models.SignalImageReuse || sigs[1].Kind != models.ReuseCrossSeller ||
		sigs[1].ImageIndex == nil || *sigs[1].ImageIndex != 1 || sigs[1].Reason == "" {
		t.Fatalf("photo shown by three sellers: %+v", sigs)
	}
}

func TestRefreshReplacesNetworkSignalsAndRescores(t *testing.T) {
	w := score.DefaultWeights()
	an := &models.Analysis{Signals: []models.Signal{
		{Type: models.SignalLogo, BrandID: "b", Confidence: 0.9, Reason: "logo"},
	}}
	an.Score, an.Reasons = score.Score(w, an.Signals)
	base := an.Score
	if !Refresh(an, Facts{Network: "n", Size: 5, Sellers: 5, PhotoSellers: map[int]int{0: 4}}, w) {
		t.Fatal("a network of five sellers changed nothing")
	}
	grown := an.Score
	if grown <= base || len(an.Signals) != 3 {
		t.Fatalf("score %v (was %v), signals %+v", grown, base, an.Signals)
	}
	// Refreshing again with the same facts is a no-op; with a smaller
	// network the old signals go, not pile up.
	if Refresh(an, Facts{Network: "n", Size: 5, Sellers: 5, PhotoSellers: map[int]int{0: 4}}, w) {
		t.Error("the same facts changed the analysis")
	}
	Refresh(an, Facts{Network: "n", Size: 1, Sellers: 1}, w)
	if an.Score != base || len(an.Signals) != 1 {
		t.Fatalf("back to one seller: score %v, want %v; signals %+v", an.Score, base, an.Signals)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultConfig()
	bad.MaxSellersPerValue = 1
	if bad.Validate() == nil {
		t.Error("a value linking one seller only was accepted")
	}
}
