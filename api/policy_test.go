package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"counterlens/models"
)

func (e *env) patch(id, key, body string) resp {
	e.t.Helper()
	return e.do(http.MethodPatch, "/v1/brands/"+id, key, "application/json", strings.NewReader(body))
}

func TestPatchBrandPolicy(t *testing.T) {
	e := newPolicyEnv(t, nil)
	ctx := context.Background()
	r := e.json(http.MethodPost, "/v1/brands", adminKey, map[string]any{"name": "Nike", "authorized_sellers": []string{"nike-official"},
		"min_price": map[string]any{"amount": 60, "currency": "EUR"}})
	var nike models.Brand
	r.json(t, &nike)
	v0, _ := e.store.RefVersion(ctx)

	r = e.patch(nike.ID, adminKey, `{"aliases":["swoosh"," air max "],"official_domains":["https://www.Nike.com/de"],
		"min_prices":[{"amount":80,"currency":"eur","product_type":"Sneakers"},{"amount":300,"currency":"USD","product_type":"bag"}],
		"thresholds":{"min_score":0.4,"logo_confidence":0.7},"id":"ignored","created_at":"2000-01-01T00:00:00Z"}`)
	if r.status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	var got models.Brand
	r.json(t, &got)
	want := models.Brand{ID: nike.ID, Name: "Nike", Aliases: []string{"swoosh", "air max"}, MinPrice: &models.Money{Amount: 60, Currency: "EUR"},
		MinPrices:  []models.PriceFloor{{Amount: 80, Currency: "EUR", ProductType: "sneakers"}, {Amount: 300, Currency: "USD", ProductType: "bag"}},
		Thresholds: &models.Thresholds{MinScore: 0.4, LogoConfidence: 0.7}, AuthorizedSellers: []string{"nike-official"},
		OfficialDomains: []string{"www.nike.com"}, CreatedAt: nike.CreatedAt}
	if !sameBrand(got, want) {
		t.Fatalf("patched brand\n got %+v\nwant %+v", got, want)
	}
	stored, _ := e.store.Brand(ctx, nike.ID)
	if !sameBrand(stored, want) {
		t.Fatalf("stored brand %+v", stored)
	}
	if v1, _ := e.store.RefVersion(ctx); v1 <= v0 {
		t.Fatalf("the reference version did not change (%d -> %d): analyses would not see the new aliases", v0, v1)
	}

	// A field sent replaces the old value whole; null clears.
	r = e.patch(nike.ID, adminKey, `{"thresholds":{"min_score":0.5},"min_price":null,"min_prices":[{"amount":70,"currency":"EUR"}]}`)
	got = models.Brand{}
	r.json(t, &got)
	if got.MinPrice != nil || got.Thresholds.LogoConfidence != 0 || got.Thresholds.MinScore != 0.5 ||
		len(got.MinPrices) != 1 || got.MinPrices[0].ProductType != "" || len(got.Aliases) != 2 {
		t.Fatalf("second patch: %s", r.body)
	}

	bad := map[string]string{
		"unknown currency":        `{"min_prices":[{"amount":80,"currency":"XYZ"}]}`,
		"currency not 3 letters":  `{"min_price":{"amount":80,"currency":"EURO"}}`,
		"zero amount":             `{"min_prices":[{"amount":0,"currency":"EUR"}]}`,
		"negative amount":         `{"min_price":{"amount":-5,"currency":"EUR"}}`,
		"unknown product type":    `{"min_prices":[{"amount":80,"currency":"EUR","product_type":"spaceship"}]}`,
		"two floors for one kind": `{"min_prices":[{"amount":80,"currency":"EUR","product_type":"bag"},{"amount":90,"currency":"eur","product_type":"bag"}]}`,
		"too many floors":         `{"min_prices":[` + strings.TrimSuffix(strings.Repeat(`{"amount":1,"currency":"EUR"},`, 101), ",") + `]}`,
		"threshold above 1":       `{"thresholds":{"min_score":1.5}}`,
		"threshold below 0":       `{"thresholds":{"logo_confidence":-0.1}}`,
		"too many aliases":        `{"aliases":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 501), ",") + `]}`,
		"empty alias":             `{"aliases":[" "]}`,
		"not a domain":            `{"official_domains":["nike"]}`,
		"empty name":              `{"name":"  "}`,
		"null name":               `{"name":null}`,
		"nothing to change":       `{"id":"x"}`,
		"wrong type":              `{"aliases":"swoosh"}`,
		"not an object":           `[1,2]`,
		"malformed":               `{"aliases":`,
	}
	for name, body := range bad {
		t.Run(name, func(t *testing.T) {
			wantError(t, e.patch(nike.ID, adminKey, body), 400, typeBadData)
		})
	}
	wantError(t, e.do(http.MethodPatch, "/v1/brands/"+nike.ID, adminKey, "application/json", strings.NewReader(`{"name":"`+strings.Repeat("a", 2<<20)+`"}`)), 413, typeTooLarge)
	if after, _ := e.store.Brand(ctx, nike.ID); after.MinPrices[0].Amount != 70 {
		t.Fatalf("a refused patch changed the brand: %+v", after)
	}

	puma := e.createBrand("Puma")
	wantError(t, e.patch(puma.ID, adminKey, `{"name":"NIKE"}`), 409, typeConflict)
	if r := e.patch(nike.ID, adminKey, `{"name":"NIKE"}`); r.status != 200 {
		t.Fatalf("renaming a brand to its own name in other case: %d %s", r.status, r.body)
	}
	wantError(t, e.patch("nope", adminKey, `{"aliases":[]}`), 404, typeNotFound)

	// A rights holder changes its own brand only; a monitor none.
	holder := e.createKey(models.RoleRightsHolder, puma.ID)
	if r := e.patch(puma.ID, holder, `{"authorized_sellers":["puma-store"]}`); r.status != 200 {
		t.Fatalf("holder patches its brand: %d %s", r.status, r.body)
	}
	before, _ := e.store.Brand(ctx, nike.ID)
	wantError(t, e.patch(nike.ID, holder, `{"authorized_sellers":["me"]}`), 404, typeNotFound)
	wantError(t, e.patch(nike.ID, e.createKey(models.RoleMonitor), `{"aliases":[]}`), 403, typeForbidden)
	if after, _ := e.store.Brand(ctx, nike.ID); !sameBrand(after, before) {
		t.Fatalf("another brand changed: %+v", after)
	}
}

func TestCreateBrandTakesThePolicy(t *testing.T) {
	e := newPolicyEnv(t, nil)
	r := e.json(http.MethodPost, "/v1/brands", adminKey, map[string]any{"name": "Gucci",
		"min_prices": []map[string]any{{"amount": 500, "currency": "eur", "product_type": "bag"}}, "thresholds": map[string]any{"min_score": 0.3}})
	var b models.Brand
	r.json(t, &b)
	if r.status != 201 || len(b.MinPrices) != 1 || b.MinPrices[0].Currency != "EUR" || b.Thresholds.MinScore != 0.3 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	wantError(t, e.json(http.MethodPost, "/v1/brands", adminKey, map[string]any{"name": "Dior", "min_price": map[string]any{"amount": 5, "currency": "ABC"}}), 400, typeBadData)
}

func sameBrand(a, b models.Brand) bool {
	return a.ID == b.ID && a.Name == b.Name && slices.Equal(a.Aliases, b.Aliases) && a.CreatedAt.Equal(b.CreatedAt) &&
		ptrEqual(a.MinPrice, b.MinPrice) && slices.Equal(a.MinPrices, b.MinPrices) && ptrEqual(a.Thresholds, b.Thresholds) &&
		slices.Equal(a.AuthorizedSellers, b.AuthorizedSellers) && slices.Equal(a.OfficialDomains, b.OfficialDomains)
}

func ptrEqual[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
