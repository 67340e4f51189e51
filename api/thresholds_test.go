package api

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"counterlens/models"
)

func TestBrandMinScoreHidesLowerSuspicionsFromItsRightsHolder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	nike, puma := e.createBrand("Nike"), e.createBrand("Puma")
	nike.Thresholds = &models.Thresholds{MinScore: 0.6}
	if err := e.store.UpdateBrand(ctx, nike); err != nil {
		t.Fatal(err)
	}
	scored := func(title string, score float64, brands ...string) string {
		sub, err := e.store.SubmitListing(ctx, models.Listing{Platform: "ebay", Title: title})
		if err != nil {
			t.Fatal(err)
		}
		l := sub.Listing
		l.Analysis = &models.Analysis{Score: score, Reasons: []string{"r"}, Signals: []models.Signal{}}
		for _, b := range brands {
			l.Analysis.Brands = append(l.Analysis.Brands, models.BrandHit{BrandID: b, Confidence: 0.9})
		}
		if err := e.store.FinishListing(ctx, l, nil); err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	low := scored("nike low", 0.5, nike.ID)
	high := scored("nike high", 0.9, nike.ID)
	both := scored("nike and puma, low", 0.5, nike.ID, puma.ID)

	list := func(key, query string) []string {
		t.Helper()
		var page suspicionsResponse
		r := e.do(http.MethodGet, "/v1/suspicions"+query, key, "", nil)
		if r.status != 200 {
			t.Fatalf("GET /v1/suspicions%s: %d %s", query, r.status, r.body)
		}
		r.json(t, &page)
		var ids []string
		for _, it := range page.Items {
			ids = append(ids, it.ListingID)
		}
		slices.Sort(ids)
		return ids
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	cases := []struct {
		name, key, query string
		want             []string
	}{
		{"nike's holder: only above nike's 0.6", e.createKey(models.RoleRightsHolder, nike.ID), "", sorted(high)},
		{"nike's holder, by brand", e.createKey(models.RoleRightsHolder, nike.ID), "?brand_id=" + nike.ID, sorted(high)},
		{"nike and puma's holder: the low one is a puma suspicion too", e.createKey(models.RoleRightsHolder, nike.ID, puma.ID), "", sorted(high, both)},
		{"nike and puma's holder, nike only", e.createKey(models.RoleRightsHolder, nike.ID, puma.ID), "?brand_id=" + nike.ID, sorted(high)},
		{"a monitor sees everything", e.createKey(models.RoleMonitor), "", sorted(low, high, both)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := list(c.key, c.query); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}
