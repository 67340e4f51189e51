package policy

import (
	"slices"
	"testing"

	"counterlens/models"
)

func TestProductTypesIn(t *testing.T) {
	cases := map[string][]string{
		"Nike Air Max 90 sneakers size 42":           {"sneakers"},
		"NIKE AIR MAX TRAINERS - mens":               {"sneakers"},
		"Gucci Marmont shoulder bag + wallet":        {"bag", "wallet"},
		"Dior Sauvage Eau de Parfum 100ml":           {"perfume"},
		"Supreme box logo T-Shirt":                   {"t-shirt"},
		"supreme box logo t shirt":                   {"t-shirt"},
		"Rolex Submariner":                           nil,
		"case for iPhone 15, Louis Vuitton monogram": {"phone case"},
		"":                       nil,
		"bagel toaster, tees up": {"t-shirt"},
	}
	for text, want := range cases {
		if got := ProductTypesIn(text); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
	for _, typ := range ProductTypes() {
		if !KnownProductType(typ) || len(ProductTypesIn(typ)) == 0 {
			t.Errorf("product type %q does not recognise its own name", typ)
		}
	}
	if KnownProductType("spaceship") || KnownProductType("_comment") {
		t.Error("unknown product types are known")
	}
}

func TestFloorFor(t *testing.T) {
	b := models.Brand{
		MinPrice: &models.Money{Amount: 40, Currency: "EUR"},
		MinPrices: []models.PriceFloor{
			{Amount: 80, Currency: "EUR", ProductType: "sneakers"},
			{Amount: 300, Currency: "EUR", ProductType: "bag"},
			{Amount: 90, Currency: "USD"},
			{Amount: 100, Currency: "USD", ProductType: "sneakers"},
		},
	}
	cases := []struct {
		name, currency, text string
		want                 float64
		ok                   bool
	}{
		{"typed floor wins", "EUR", "air max sneakers", 80, true},
		{"currency case does not matter", "eur", "air max sneakers", 80, true},
		{"no type named: the general floor", "EUR", "nike t-shirt", 40, true},
		{"two types: the lower", "EUR", "sneakers with a free bag", 80, true},
		{"other currency", "USD", "trainers", 100, true},
		{"other currency, general", "USD", "cap", 90, true},
		{"no floor in this currency", "GBP", "sneakers", 0, false},
		{"no currency", "", "sneakers", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := FloorFor(b, tc.currency, tc.text)
			if ok != tc.ok || f.Amount != tc.want {
				t.Fatalf("FloorFor = %+v, %v; want %v, %v", f, ok, tc.want, tc.ok)
			}
		})
	}
	onlyTyped := models.Brand{MinPrices: []models.PriceFloor{{Amount: 300, Currency: "EUR", ProductType: "bag"}}}
	if _, ok := FloorFor(onlyTyped, "EUR", "sneakers"); ok {
		t.Error("a bag floor applied to sneakers")
	}
}

func TestSellerAndDomain(t *testing.T) {
	b := models.Brand{AuthorizedSellers: []string{"Nike-Official "}, OfficialDomains: []string{"nike.com", "https://www.nike.de/shop"}}
	for seller, want := range map[string]bool{"nike-official": true, " NIKE-OFFICIAL": true, "nike-0fficial": false, "": false} {
		if got := AuthorizedSeller(b, seller); got != want {
			t.Errorf("AuthorizedSeller(%q) = %v", seller, got)
		}
	}
	for u, want := range map[string]bool{
		"https://www.nike.com/t/air-max":  true,
		"https://NIKE.com/":               true,
		"https://store.nike.de/x":         false,
		"https://www.nike.de/x":           true,
		"https://nike.com.evil.example/":  false,
		"https://fakenike.com/":           false,
		"https://evil.example/?nike.com":  false,
		"nike.com":                        false,
		"":                                false,
		"https://user@nike.com:8443/path": true,
	} {
		if got := OnOfficialDomain(b, u); got != want {
			t.Errorf("OnOfficialDomain(%q) = %v", u, got)
		}
	}
}
