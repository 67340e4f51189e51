package text

import (
	"testing"

	"counterlens/models"
)

func TestDisguisedBrandNames(t *testing.T) {
	m := NewMatcher([]models.Brand{
		{ID: "nike", Name: "Nike"}, {ID: "redbull", Name: "Red Bull"},
		{ID: "samsung", Name: "Samsung"}, {ID: "cocacola", Name: "Coca-Cola"},
		{ID: "jbl", Name: "JBL"}, {ID: "balenciaga", Name: "Balenciaga"},
	}, nil)
	cases := []struct {
		text     string
		brand    string
		disguise bool
	}{
		{"NIKE t-shirt", "nike", false},
		{"Original Nike jacket", "nike", false},
		{"Coca Cola travel mug", "cocacola", false},
		{"COCA-COLA tumbler", "cocacola", false},
		{"Red Bull mini fridge", "redbull", false},
		{"RED BUL1 mini fridge", "redbull", true},
		{"N1KE sneakers", "nike", true},
		{"N1iKE sneakers", "nike", true},
		{"S A M S U N G bluetooth speaker", "samsung", true},
		{"J B L earbuds", "jbl", true},
		{"N.I.K.E hoodie", "nike", true},
		{"NІKE hoodie", "nike", true}, // Cyrillic І
		// an OCR or typing slip, not a spelling that hides the name
		{"Balenclaqa bag", "balenciaga", false},
	}
	for _, c := range cases {
		var named, hidden bool
		for _, s := range m.FindText(c.text, Options{Source: models.SourceListingText}) {
			switch {
			case s.Type == models.SignalListingTextBrand && s.BrandID == c.brand:
				named = true
			case s.Type == models.SignalDisguisedBrand && s.BrandID == c.brand:
				hidden = true
				if s.Source != models.SourceListingText || s.Reason == "" {
					t.Errorf("%q: disguised_brand without source or reason: %+v", c.text, s)
				}
			}
		}
		if !named {
			t.Errorf("%q: brand %s not found", c.text, c.brand)
		}
		if hidden != c.disguise {
			t.Errorf("%q: disguised = %v, want %v", c.text, hidden, c.disguise)
		}
	}
}
