package score

import (
	"math"
	"testing"

	"counterlens/models"
)

func TestScoreOrdersListingsAsAnOfficerWould(t *testing.T) {
	logo := models.Signal{Type: models.SignalLogo, BrandID: "nike", Confidence: 0.95, Reason: "logo"}
	risk := models.Signal{Type: models.SignalRiskTerm, Value: "replica", Confidence: 0.9, Reason: "replica"}
	contact := models.Signal{Type: models.SignalContact, Kind: "whatsapp", Confidence: 0.9, Reason: "whatsapp"}
	picOnly := models.Signal{Type: models.SignalPictureOnly, BrandID: "nike", Confidence: 0.95, Reason: "picture only"}
	text := models.Signal{Type: models.SignalListingTextBrand, BrandID: "nike", Confidence: 1, Reason: "text"}
	auth := models.Signal{Type: models.SignalAuthorizedSeller, BrandID: "nike", Confidence: 1, Reason: "authorised"}

	cases := map[string][]models.Signal{
		"clean":                   nil,
		"brand in title only":     {text},
		"logo in picture":         {logo, text},
		"picture-only logo":       {logo, picOnly},
		"picture-only with risk":  {logo, picOnly, risk, contact},
		"authorised seller, logo": {logo, text, auth},
	}
	score := map[string]float64{}
	for name, sigs := range cases {
		s, reasons := Score(DefaultWeights(), append([]models.Signal(nil), sigs...))
		if s < 0 || s > 1 {
			t.Fatalf("%s: score %v out of [0,1]", name, s)
		}
		if len(sigs) > 0 && len(reasons) == 0 {
			t.Fatalf("%s: no reasons", name)
		}
		score[name] = s
	}
	order := []string{"picture-only with risk", "picture-only logo", "brand in title only", "clean"}
	for i := 1; i < len(order); i++ {
		if score[order[i-1]] <= score[order[i]] {
			t.Errorf("%q (%.3f) should rank above %q (%.3f)", order[i-1], score[order[i-1]], order[i], score[order[i]])
		}
	}
	// The brand counts once: a mark beside the brand named in the title
	// never lowers the score. (Measured on the development listings, it
	// adds nothing either: honest resellers show the mark as often as
	// counterfeiters do; what separates them is the picture-only pattern.)
	if score["logo in picture"] < score["brand in title only"] || score["logo in picture"] >= score["picture-only logo"] {
		t.Errorf("logo beside the named brand %.3f: want at least title only %.3f and below picture-only %.3f",
			score["logo in picture"], score["brand in title only"], score["picture-only logo"])
	}
	if score["clean"] != 0 {
		t.Errorf("clean listing scored %v", score["clean"])
	}
	if score["authorised seller, logo"] >= score["brand in title only"] {
		t.Errorf("authorised seller not suppressed: %v", score["authorised seller, logo"])
	}
}

func TestScoreCountsEachKindOnlySoOften(t *testing.T) {
	var many []models.Signal
	for range 20 {
		many = append(many, models.Signal{Type: models.SignalRiskTerm, Confidence: 0.9})
	}
	two, _ := Score(DefaultWeights(), many[:2])
	twenty, _ := Score(DefaultWeights(), many)
	if two != twenty {
		t.Fatalf("twenty risk terms scored %v, two %v: repetition must not inflate", twenty, two)
	}
	// The same brand seen as a logo and in the picture's text counts once.
	sigs := []models.Signal{
		{Type: models.SignalLogo, BrandID: "b", Confidence: 0.9},
		{Type: models.SignalImageTextBrand, BrandID: "b", Confidence: 0.9},
	}
	both, _ := Score(DefaultWeights(), sigs)
	one, _ := Score(DefaultWeights(), sigs[:1])
	if both != one {
		t.Fatalf("one brand counted twice: %v vs %v", both, one)
	}
	if sigs[0].Weight == 0 || sigs[1].Weight != 0 {
		t.Fatalf("weights %v %v: the strongest sighting should carry the weight", sigs[0].Weight, sigs[1].Weight)
	}
}

func TestNetworkSignalsAreWeakAloneAndCountOnce(t *testing.T) {
	w := DefaultWeights()
	zero, one := 0, 1
	net := models.Signal{Type: models.SignalSellerNetwork, Confidence: 1, Reason: "network"}
	reuse := func(i *int) models.Signal {
		return models.Signal{Type: models.SignalImageReuse, Kind: models.ReuseCrossSeller, ImageIndex: i, Confidence: 1, Reason: "reused"}
	}
	logo := models.Signal{Type: models.SignalLogo, BrandID: "nike", Confidence: 0.9, Reason: "logo"}
	// A mark comes with the brand named in the text or, when it is not,
	// with the picture-only signal: the pipeline never yields it alone.
	named := models.Signal{Type: models.SignalListingTextBrand, BrandID: "nike", Confidence: 1, Reason: "named"}
	picOnly := models.Signal{Type: models.SignalPictureOnly, BrandID: "nike", Confidence: 0.9, Reason: "picture only"}
	networkOnly, _ := Score(w, []models.Signal{net, reuse(&zero)})
	for name, sigs := range map[string][]models.Signal{"named": {logo, named}, "picture-only": {logo, picOnly}} {
		if branded, _ := Score(w, sigs); networkOnly >= branded {
			t.Errorf("a network without a brand (%v) ranks at or above a registered mark, %s (%v)", networkOnly, name, branded)
		}
	}
	logoOnly, _ := Score(w, []models.Signal{logo})
	withNet, _ := Score(w, []models.Signal{logo, net})
	if withNet <= logoOnly {
		t.Errorf("a mark sold by a network of five sellers (%v) ranks no higher than a lone seller's (%v)", withNet, logoOnly)
	}
	onePhoto, _ := Score(w, []models.Signal{reuse(&zero)})
	twoPhotos, _ := Score(w, []models.Signal{reuse(&zero), reuse(&one)})
	if onePhoto != twoPhotos {
		t.Errorf("two reused photos scored %v, one %v: one seller's reuse is one fact", twoPhotos, onePhoto)
	}
	official := models.Signal{Type: models.SignalImageReuse, Kind: "official_photo", Confidence: 1, Reason: "official"}
	both, _ := Score(w, []models.Signal{official, reuse(&zero)})
	if both <= onePhoto {
		t.Errorf("an official photo reused counts apart from cross-seller reuse: %v vs %v", both, onePhoto)
	}
}

func TestPriceIsOneFactWeighedByHowSurelyTheBrandIsThere(t *testing.T) {
	w := DefaultWeights()
	named := models.Signal{Type: models.SignalListingTextBrand, BrandID: "coke", Confidence: 0.95, Reason: "named"}
	faint := models.Signal{Type: models.SignalLogo, BrandID: "nike", Confidence: 0.5, Reason: "faint mark"}
	price := func(brand string) models.Signal {
		return models.Signal{Type: models.SignalPriceBelowFloor, BrandID: brand, Confidence: 1, Reason: "price " + brand}
	}
	// One price below two brands' floors is one fact.
	one, _ := Score(w, []models.Signal{named, faint, price("coke")})
	two, _ := Score(w, []models.Signal{named, faint, price("coke"), price("nike")})
	if one != two {
		t.Errorf("a price below two floors scored %v, below one %v: one price is one fact", two, one)
	}
	// The floor of a brand seen as a faint mark weighs less than the floor
	// of a brand the listing names.
	sigs := []models.Signal{named, faint, price("coke"), price("nike")}
	Score(w, sigs)
	byReason := map[string]float64{}
	for _, s := range sigs {
		byReason[s.Reason] = s.Weight
	}
	if byReason["price nike"] >= byReason["price coke"] {
		t.Errorf("price under a faint mark's floor weighs %v, under a named brand's %v", byReason["price nike"], byReason["price coke"])
	}
	if want := w.PriceBelowFloor * 0.95; math.Abs(byReason["price coke"]-want) > 1e-9 {
		t.Errorf("price weight %v, want the price weight times the brand's sighting %v", byReason["price coke"], want)
	}
}

func TestListingsWithoutARegisteredBrandRankBelowBrandedOnesAtEqualEvidence(t *testing.T) {
	w := DefaultWeights()
	risk := models.Signal{Type: models.SignalRiskTerm, Value: "replica", Confidence: 0.95, Reason: "replica"}
	contact := models.Signal{Type: models.SignalContact, Kind: "wechat", Confidence: 0.9, Reason: "wechat"}
	aaa := models.Signal{Type: models.SignalRiskTerm, Value: "aaa", Confidence: 0.85, Reason: "aaa"}
	named := models.Signal{Type: models.SignalListingTextBrand, BrandID: "nike", Confidence: 0.95, Reason: "named"}
	brandless, _ := Score(w, []models.Signal{risk, aaa, contact})
	branded, _ := Score(w, []models.Signal{named, risk})
	if brandless >= branded {
		t.Errorf("replica talk and a contact about no registered brand (%v) rank at or above a named brand with one risk term (%v)", brandless, branded)
	}
	w.NoBrand, w.TextOnly = 1, 1
	plain, _ := Score(w, []models.Signal{risk, aaa, contact})
	if want := round(1 - (1-0.95*0.95)*(1-0.95*0.85)*(1-0.95*0.9)); plain != want {
		t.Errorf("without the factors the score is the noisy-OR %v, got %v", want, plain)
	}
}

func TestAPictureReasonWinsAtEqualEvidence(t *testing.T) {
	zero := 0
	box := &models.BBox{X: 1, Y: 2, W: 30, H: 20}
	named := models.Signal{Type: models.SignalListingTextBrand, BrandID: "nike", Confidence: 0.95, Reason: "named"}
	risk := models.Signal{Type: models.SignalRiskTerm, Value: "replica", Confidence: 0.95, Source: models.SourceListingText, Reason: "replica"}
	// The mark is weaker than the named brand, so it does not count (the
	// brand counts once), but it is there to check in the photo.
	mark := models.Signal{Type: models.SignalLogo, BrandID: "nike", Confidence: 0.6, ImageIndex: &zero, BBox: box, Reason: "mark"}
	picRisk := risk
	picRisk.Source, picRisk.ImageIndex, picRisk.BBox = models.SourceImageText, &zero, box

	for name, c := range map[string]struct {
		sigs     []models.Signal
		pictured bool
	}{
		"text only":                  {[]models.Signal{named, risk}, false},
		"risk term boxed in a photo": {[]models.Signal{named, picRisk}, true},
		"uncounted mark in a photo":  {[]models.Signal{named, risk, mark}, true},
		"photo signal without a box": {[]models.Signal{named, {Type: models.SignalImageReuse, Kind: models.ReuseCrossSeller, ImageIndex: &zero, Confidence: 1}}, false},
	} {
		sigs := append([]models.Signal(nil), c.sigs...)
		Score(DefaultWeights(), sigs)
		if got := Pictured(sigs); got != c.pictured {
			t.Errorf("%s: Pictured = %v, want %v", name, got, c.pictured)
		}
	}
	text, _ := Score(DefaultWeights(), []models.Signal{named, risk})
	pic, _ := Score(DefaultWeights(), []models.Signal{named, picRisk})
	withMark, _ := Score(DefaultWeights(), []models.Signal{named, risk, mark})
	if pic <= text || withMark <= text {
		t.Errorf("at equal evidence, text only %v should rank below a risk term in the photo %v and a mark in the photo %v", text, pic, withMark)
	}
	if text < 0.97*pic {
		t.Errorf("text-only %v lost more than a tie-break against %v", text, pic)
	}
}
