package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"counterlens/ingest/network"
	"counterlens/ingest/redisq"
	"counterlens/ingest/score"
	"counterlens/models"
)

// linkNetwork links a stored, analysed listing into its seller network, as
// the worker does, and returns the network's id.
func linkNetwork(t *testing.T, store *redisq.Store, id string) string {
	t.Helper()
	ctx := context.Background()
	l, err := store.Listing(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	k := &network.Linker{Store: store, Cfg: network.DefaultConfig(), Weights: score.DefaultWeights(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := k.Link(ctx, &l); err != nil {
		t.Fatal(err)
	}
	if err := store.FinishListing(ctx, l, nil); err != nil {
		t.Fatal(err)
	}
	return l.Network.ID
}

// analysedListing stores a listing of seller on platform, analysed with the
// given brand found and a WhatsApp number in its picture.
func analysedListing(t *testing.T, e *env, platform, seller, brand, whatsapp string) string {
	t.Helper()
	ctx := context.Background()
	sub, err := e.store.SubmitListing(ctx, models.Listing{Platform: platform, Seller: seller, Title: "shoes", URL: "https://m.example/" + seller})
	if err != nil {
		t.Fatal(err)
	}
	l := sub.Listing
	l.Status = models.StatusAnalyzed
	zero := 0
	l.Analysis = &models.Analysis{Brands: []models.BrandHit{}, Reasons: []string{},
		Signals: []models.Signal{{Type: models.SignalContact, Kind: models.ContactWhatsApp, Value: whatsapp, Confidence: 0.9, ImageIndex: &zero}}}
	if brand != "" {
		l.Analysis.Brands = append(l.Analysis.Brands, models.BrandHit{BrandID: brand, Confidence: 0.9})
	}
	if err := e.store.FinishListing(ctx, l, nil); err != nil {
		t.Fatal(err)
	}
	linkNetwork(t, e.store, l.ID)
	return l.ID
}

func TestNetworkScope(t *testing.T) {
	e := newEnv(t)
	nike, puma := e.createBrand("Nike").ID, e.createBrand("Puma").ID
	a := analysedListing(t, e, "ebay", "kicks", nike, "+447700900123")
	b := analysedListing(t, e, "telegram", "plug", puma, "+447700900123")
	analysedListing(t, e, "ebay", "alone", puma, "+447700900555")

	var l models.Listing
	e.do(http.MethodGet, "/v1/listings/"+a, adminKey, "", nil).json(t, &l)
	if l.Network == nil || l.Network.Size != 2 || l.Network.Sellers != 2 {
		t.Fatalf("listing detail network: %+v", l.Network)
	}
	var page suspicionsResponse
	e.do(http.MethodGet, "/v1/suspicions", adminKey, "", nil).json(t, &page)
	for _, it := range page.Items {
		if it.Network == nil {
			t.Errorf("suspicion %s has no network", it.ListingID)
		}
	}

	path := "/v1/networks/" + l.Network.ID
	var n network.Network
	r := e.do(http.MethodGet, path, e.createKey(models.RoleMonitor), "", nil)
	r.json(t, &n)
	if r.status != 200 || n.Size != 2 || len(n.Links) != 1 || n.Links[0].Value != "+447700900123" || n.Links[0].Kind != network.KindContact {
		t.Fatalf("monitor: %d %+v", r.status, n)
	}

	// Nike's rights holder sees the network (a is a Nike suspicion), and of
	// b, a Puma listing, only who sells it where.
	nikeKey := e.createKey(models.RoleRightsHolder, nike)
	r = e.do(http.MethodGet, path, nikeKey, "", nil)
	n = network.Network{}
	r.json(t, &n)
	if r.status != 200 {
		t.Fatalf("nike's rights holder: %d %s", r.status, r.body)
	}
	for _, m := range n.Members {
		if m.ListingID == b && (m.Title != "" || m.URL != "" || len(m.Brands) != 0 || m.Seller != "plug") {
			t.Errorf("another brand's member shown in full: %+v", m)
		}
		if m.ListingID == a && m.Title == "" {
			t.Errorf("own member redacted: %+v", m)
		}
	}
	// A rights holder of a brand not in the network does not see it.
	other := e.createKey(models.RoleRightsHolder, e.createBrand("Adidas").ID)
	if r := e.do(http.MethodGet, path, other, "", nil); r.status != 404 {
		t.Errorf("adidas's rights holder: %d, want 404", r.status)
	}
}
