package api

import (
	"context"
	"net/http"
	"testing"

	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func TestListingVersionsAreServedAndDocumented(t *testing.T) {
	ctx := context.Background()
	store := newStore(t, redistest.URL(t))
	_, e := testServer(t, store, &fakeAnalyzer{}, nil)
	v := newValidator(t, loadDoc(t), e)
	nike, puma := e.createBrand("Nike"), e.createBrand("Puma")

	first := models.Listing{Platform: "shop", ExternalID: "7", URL: "https://shop.example/p/7", Title: "sneakers", Price: 90, Currency: "EUR"}
	sub, err := store.SubmitListing(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	l := sub.Listing
	l.Status, l.Analysis = models.StatusAnalyzed, &models.Analysis{Score: 0.7, Brands: []models.BrandHit{{BrandID: nike.ID, Name: "Nike", Confidence: 0.9}}}
	if err := store.FinishListing(ctx, l, nil); err != nil {
		t.Fatal(err)
	}
	changed := first
	changed.Title, changed.Price = "sneakers 1:1", 30
	if sub, err := store.SubmitListing(ctx, changed); err != nil || !sub.Changed || sub.Listing.Version != 2 {
		t.Fatalf("changed listing: %+v %v", sub, err)
	}

	var got struct {
		Items []models.Listing `json:"items"`
	}
	v.call(http.MethodGet, "/v1/listings/"+l.ID+"/versions", adminKey, "", nil, 200).json(t, &got)
	if len(got.Items) != 2 || got.Items[0].Version != 1 || got.Items[0].Title != "sneakers" || got.Items[0].Analysis == nil ||
		got.Items[1].Version != 2 || got.Items[1].Title != "sneakers 1:1" {
		t.Fatalf("versions: %+v", got.Items)
	}
	v.call(http.MethodGet, "/v1/listings/nope/versions", adminKey, "", nil, 404)
	v.call(http.MethodGet, "/v1/listings/"+l.ID+"/versions", "", "", nil, 401)
	v.call(http.MethodGet, "/v1/listings/"+l.ID+"/versions", e.createKey(models.RoleRightsHolder, nike.ID), "", nil, 200)
	v.call(http.MethodGet, "/v1/listings/"+l.ID+"/versions", e.createKey(models.RoleRightsHolder, puma.ID), "", nil, 404)
}
