package main

// brandSpec is a demo brand: a real brand, its simple-icons mark and a
// made-up rights holder's policy.
type brandSpec struct {
	Slug, Name        string
	Hex               string // simple-icons brand colour
	Aliases           []string
	MinPrice          float64 // EUR
	AuthorizedSellers []string
}

var demoBrands = []brandSpec{
	{Slug: "nike", Name: "Nike", Hex: "111111", Aliases: []string{"swoosh", "air max"}, MinPrice: 60, AuthorizedSellers: []string{"nike-official"}},
	{Slug: "adidas", Name: "adidas", Hex: "000000", Aliases: []string{"three stripes"}, MinPrice: 50, AuthorizedSellers: []string{"adidas-store"}},
	{Slug: "puma", Name: "Puma", Hex: "242B2F", Aliases: []string{}, MinPrice: 40, AuthorizedSellers: []string{"puma-official"}},
	{Slug: "thenorthface", Name: "The North Face", Hex: "000000", Aliases: []string{"north face", "tnf"}, MinPrice: 80, AuthorizedSellers: []string{"thenorthface-eu"}},
	{Slug: "samsung", Name: "Samsung", Hex: "1428A0", Aliases: []string{"galaxy"}, MinPrice: 150, AuthorizedSellers: []string{"samsung-shop"}},
	{Slug: "starbucks", Name: "Starbucks", Hex: "006241", Aliases: []string{"sbux"}, MinPrice: 15, AuthorizedSellers: []string{"starbucks-store"}},
}

// item is one product-like patch in a photo, with or without a mark.
type item struct {
	Patch string  // box, bag, shoe or flat (the mark straight on the photo)
	Mark  string  // brand slug; "" for an unbranded product
	X, Y  float64 // centre of the patch, fractions of the photo
	Size  float64 // mark's long side, fraction of the photo's shorter side
	Rot   float64 // in-plane rotation, degrees
	Tilt  float64 // perspective: -1..1, which side turns away
	Body  string  // patch colour, RRGGBB
	Ink   string  // mark colour, RRGGBB; "" = the brand's colour
}

// banner is a line of text on a band across the photo.
type banner struct {
	Text    string
	X, Y    float64 // centre, fractions of the photo; X 0 = centred
	Size    float64 // font size, px
	Light   bool    // dark text on a light band; else white on dark
	Font    string
	Color   string // text colour override, RRGGBB
	Opacity float64
}

type imageSpec struct {
	File    string
	Photo   string // opencv-doc sample file
	Items   []item
	Banners []banner
}

const (
	bold    = "DejaVuSans-Bold.ttf"
	libBold = "LiberationSans-Bold.ttf"
	libReg  = "LiberationSans-Regular.ttf"
)

var demoImages = []imageSpec{
	// Suspicious.
	{File: "nike-shoe-mirror.jpg", Photo: "stuff.jpg",
		Items:   []item{{Patch: "shoe", Mark: "nike", X: 0.42, Y: 0.5, Size: 0.26, Rot: -6, Tilt: 0.3, Body: "F2F2F0"}},
		Banners: []banner{{Text: "1:1 mirror quality", Y: 0.9, Size: 54, Font: bold}}},
	{File: "adidas-box.jpg", Photo: "left.jpg",
		Items: []item{{Patch: "box", Mark: "adidas", X: 0.3, Y: 0.62, Size: 0.22, Rot: 4, Tilt: -0.4, Body: "2C4FA3", Ink: "FFFFFF"}}},
	{File: "puma-bag-replica.jpg", Photo: "leuvenA.jpg",
		Items:   []item{{Patch: "bag", Mark: "puma", X: 0.5, Y: 0.6, Size: 0.24, Rot: 8, Tilt: 0.35, Body: "1E1F24", Ink: "FFFFFF"}},
		Banners: []banner{{Text: "REPLICA", Y: 0.1, Size: 80, Font: bold}}},
	{File: "tnf-jacket-whatsapp.jpg", Photo: "ela_original.jpg",
		Items:   []item{{Patch: "flat", Mark: "thenorthface", X: 0.38, Y: 0.42, Size: 0.3, Rot: -10, Tilt: 0.25, Ink: "F4F4F4"}},
		Banners: []banner{{Text: "WhatsApp +44 7700 900123", Y: 0.88, Size: 50, Light: true, Font: libBold}}},
	{File: "samsung-box-aaa.jpg", Photo: "rubberwhale1.png",
		Items:   []item{{Patch: "box", Mark: "samsung", X: 0.55, Y: 0.55, Size: 0.36, Rot: -5, Tilt: 0.3, Body: "F1F1EE"}},
		Banners: []banner{{Text: "AAA+", X: 0.82, Y: 0.12, Size: 90, Light: true, Font: bold}}},
	{File: "starbucks-tumbler-wechat.jpg", Photo: "aloeL.jpg",
		Items:   []item{{Patch: "bag", Mark: "starbucks", X: 0.28, Y: 0.55, Size: 0.22, Rot: 3, Tilt: -0.2, Body: "F5F3EC"}},
		Banners: []banner{{Text: "WeChat: shoeking88", Y: 0.9, Size: 52, Font: libBold}}},
	{File: "nike-dark-side.jpg", Photo: "smarties.png",
		Items: []item{{Patch: "shoe", Mark: "nike", X: 0.5, Y: 0.6, Size: 0.3, Rot: 5, Tilt: -0.25, Body: "1C1C20", Ink: "FFFFFF"}}},
	{File: "nike-dark-sole.jpg", Photo: "cards.png",
		Items: []item{{Patch: "shoe", X: 0.5, Y: 0.55, Size: 0.3, Rot: -3, Tilt: 0.1, Body: "1C1C20"}}},
	{File: "adidas-tracksuit-replica.jpg", Photo: "box_in_scene.png",
		Items:   []item{{Patch: "bag", Mark: "adidas", X: 0.62, Y: 0.55, Size: 0.2, Rot: -12, Tilt: 0.3, Body: "303236", Ink: "FFFFFF"}},
		Banners: []banner{{Text: "REPLICA AAA+", Y: 0.1, Size: 60, Light: true, Font: bold}}},
	{File: "tnf-backpack.jpg", Photo: "building.jpg",
		Items: []item{{Patch: "bag", Mark: "thenorthface", X: 0.7, Y: 0.66, Size: 0.18, Rot: 6, Tilt: -0.3, Body: "B3262A", Ink: "FFFFFF"}}},
	{File: "nike-puma-pair.jpg", Photo: "text_defocus.jpg",
		Items: []item{
			{Patch: "shoe", Mark: "nike", X: 0.27, Y: 0.45, Size: 0.18, Rot: -8, Tilt: 0.2, Body: "FAFAFA"},
			{Patch: "shoe", Mark: "puma", X: 0.74, Y: 0.55, Size: 0.13, Rot: 7, Tilt: -0.2, Body: "D9342B", Ink: "FFFFFF"},
		},
		Banners: []banner{
			{Text: "1:1 mirror quality", Y: 0.08, Size: 46, Font: bold},
			{Text: "WhatsApp +44 7700 900123", Y: 0.92, Size: 46, Font: libBold},
		}},

	// Clean.
	{File: "nike-official-box.jpg", Photo: "Blender_Suzanne1.jpg",
		Items: []item{{Patch: "box", Mark: "nike", X: 0.5, Y: 0.58, Size: 0.28, Rot: 2, Tilt: 0.2, Body: "EE5A24", Ink: "FFFFFF"}}},
	{File: "adidas-worn.jpg", Photo: "chicky_512.png",
		Items: []item{{Patch: "shoe", Mark: "adidas", X: 0.5, Y: 0.76, Size: 0.16, Rot: -4, Tilt: 0.2, Body: "F4F4F2"}}},
	{File: "citrus-print.jpg", Photo: "fruits.jpg"},
	{File: "starry-night-poster.jpg", Photo: "starry_night.jpg",
		Banners: []banner{{Text: "FREE SHIPPING", X: 0.78, Y: 0.9, Size: 44, Light: true, Font: libReg}}},
	{File: "squirrel-print.jpg", Photo: "squirrel_cls.jpg"},
	{File: "plain-sneaker.jpg", Photo: "home.jpg",
		Items: []item{{Patch: "shoe", X: 0.32, Y: 0.7, Size: 0.26, Rot: 3, Tilt: 0.2, Body: "8A8F96"}}},
}

// listingSpec is one demo listing; it is written to listings.json as is.
type listingSpec struct {
	Platform   string   `json:"platform"`
	ExternalID string   `json:"external_id"`
	Title      string   `json:"title"`
	Desc       string   `json:"description"`
	Price      float64  `json:"price"`
	Currency   string   `json:"currency"`
	Seller     string   `json:"seller"`
	Images     []string `json:"images"`
	Tags       []string `json:"tags"`
	PostedAt   string   `json:"posted_at"`
	Expect     string   `json:"expect"`
	Brands     []string `json:"brands"`
	Shows      string   `json:"shows"`
}

// Every listing is tagged "deals": the demo sources crawl that search term
// (eBay) and hashtag (Mastodon), so the seeding client finds them all.
var demoListings = []listingSpec{
	{Platform: "ebay", ExternalID: "v1|204518800101|0", Title: "Nike Air sneakers size 42 NEW",
		Desc: "Brand new sneakers, 1:1 quality, ships from Guangzhou in 10 days.", Price: 29.99, Currency: "EUR",
		Seller: "kicks_outlet_24", Images: []string{"nike-shoe-mirror.jpg"}, Tags: []string{"deals", "sneakers"},
		PostedAt: "2024-06-01T08:00:00Z", Expect: "suspicious", Brands: []string{"nike"},
		Shows: "Nike mark on a white shoe; banner '1:1 mirror quality'; price below the 60 EUR floor"},
	{Platform: "ebay", ExternalID: "v1|204518800102|0", Title: "sneakers size 42",
		Desc: "New in box, never worn. Fast shipping.", Price: 35, Currency: "EUR",
		Seller: "bestshoes_4u", Images: []string{"adidas-box.jpg"}, Tags: []string{"deals", "sneakers"},
		PostedAt: "2024-06-01T09:30:00Z", Expect: "suspicious", Brands: []string{"adidas"},
		Shows: "picture-only: white adidas mark on a blue shoe box, the text never names the brand"},
	{Platform: "ebay", ExternalID: "v1|204518800103|0", Title: "Galaxy S24 Ultra 256GB sealed box",
		Desc: "Original box, sealed. AAA+ grade. Payment by bank transfer only.", Price: 199, Currency: "EUR",
		Seller: "mobile-wholesale-hk", Images: []string{"samsung-box-aaa.jpg"}, Tags: []string{"deals", "phone"},
		PostedAt: "2024-06-01T11:00:00Z", Expect: "suspicious", Brands: []string{"samsung"},
		Shows: "Samsung wordmark on a white box; 'AAA+' in the picture; price below the 150 EUR floor"},
	{Platform: "ebay", ExternalID: "v1|204518800104|0", Title: "sneakers size 42 black",
		Desc: "Black sneakers, size 42, two photos.", Price: 39, Currency: "EUR",
		Seller: "kicks_outlet_24", Images: []string{"nike-dark-side.jpg", "nike-dark-sole.jpg"}, Tags: []string{"deals", "sneakers"},
		PostedAt: "2024-06-02T07:15:00Z", Expect: "suspicious", Brands: []string{"nike"},
		Shows: "picture-only: white Nike mark on a black shoe (first photo), second photo without a mark"},
	{Platform: "ebay", ExternalID: "v1|204518800105|0", Title: "The North Face backpack red 30L",
		Desc: "Backpack, red, 30 litres. No returns.", Price: 25, Currency: "EUR",
		Seller: "outdoor_bargains", Images: []string{"tnf-backpack.jpg"}, Tags: []string{"deals", "backpack"},
		PostedAt: "2024-06-02T10:45:00Z", Expect: "suspicious", Brands: []string{"thenorthface"},
		Shows: "white The North Face mark on a red backpack; price 25 EUR below the 80 EUR floor"},
	{Platform: "ebay", ExternalID: "v1|204518800106|0", Title: "Nike Air Max 90 size 42 - official store",
		Desc: "Genuine Nike Air Max 90, sold by Nike. Free returns.", Price: 139.99, Currency: "EUR",
		Seller: "nike-official", Images: []string{"nike-official-box.jpg"}, Tags: []string{"deals", "sneakers"},
		PostedAt: "2024-06-02T12:00:00Z", Expect: "clean", Brands: []string{"nike"},
		Shows: "authorized seller: white Nike mark on an orange box, normal price"},
	{Platform: "ebay", ExternalID: "v1|204518800107|0", Title: "adidas sneakers size 42, worn twice",
		Desc: "My own adidas sneakers, worn twice, receipt included.", Price: 65, Currency: "EUR",
		Seller: "anna_b_berlin", Images: []string{"adidas-worn.jpg"}, Tags: []string{"deals", "sneakers"},
		PostedAt: "2024-06-02T14:20:00Z", Expect: "clean", Brands: []string{"adidas"},
		Shows: "priced normally: adidas mark on a white shoe next to a dog, named in the title, no risk terms"},
	{Platform: "ebay", ExternalID: "v1|204518800108|0", Title: "Van Gogh Starry Night canvas print 60x48",
		Desc: "Museum quality canvas print, wooden frame.", Price: 34.5, Currency: "EUR",
		Seller: "artprints_gallery", Images: []string{"starry-night-poster.jpg"}, Tags: []string{"deals", "art"},
		PostedAt: "2024-06-02T16:00:00Z", Expect: "clean", Brands: []string{},
		Shows: "no mark; benign text 'FREE SHIPPING' in the picture"},

	{Platform: "mastodon", ExternalID: "112580000000000001", Title: "Puma bags in stock, all colours",
		Desc: "DM me for prices, worldwide shipping.", Price: 0, Currency: "",
		Seller: "bagsdirect", Images: []string{"puma-bag-replica.jpg"}, Tags: []string{"deals", "bags"},
		PostedAt: "2024-06-01T08:30:00Z", Expect: "suspicious", Brands: []string{"puma"},
		Shows: "white Puma mark on a black bag; banner 'REPLICA'"},
	{Platform: "mastodon", ExternalID: "112580000000000002", Title: "Puffer jackets 45€, all sizes",
		Desc: "Order on WhatsApp, see the picture.", Price: 45, Currency: "EUR",
		Seller: "jacketsale", Images: []string{"tnf-jacket-whatsapp.jpg"}, Tags: []string{"deals", "jackets"},
		PostedAt: "2024-06-01T10:00:00Z", Expect: "suspicious", Brands: []string{"thenorthface"},
		Shows: "picture-only: white The North Face mark on a dark surface; banner 'WhatsApp +44 7700 900123'"},
	{Platform: "mastodon", ExternalID: "112580000000000003", Title: "Coffee tumblers wholesale 8€",
		Desc: "Minimum order 20 pieces.", Price: 8, Currency: "EUR",
		Seller: "cupfactory", Images: []string{"starbucks-tumbler-wechat.jpg"}, Tags: []string{"deals", "coffee"},
		PostedAt: "2024-06-01T13:10:00Z", Expect: "suspicious", Brands: []string{"starbucks"},
		Shows: "Starbucks siren on a cream tumbler; banner 'WeChat: shoeking88'; price below the 15 EUR floor"},
	{Platform: "mastodon", ExternalID: "112580000000000004", Title: "Tracksuits size S to XXL",
		Desc: "Top quality, fast delivery.", Price: 0, Currency: "",
		Seller: "sportdeals", Images: []string{"adidas-tracksuit-replica.jpg"}, Tags: []string{"deals", "sportswear"},
		PostedAt: "2024-06-01T15:40:00Z", Expect: "suspicious", Brands: []string{"adidas"},
		Shows: "white adidas mark on a grey bag; banner 'REPLICA AAA+' dark on light"},
	{Platform: "mastodon", ExternalID: "112580000000000005", Title: "Sneakers 30€ a pair, two brands",
		Desc: "Mirror quality, message me.", Price: 30, Currency: "EUR",
		Seller: "shoeking88", Images: []string{"nike-puma-pair.jpg"}, Tags: []string{"deals", "sneakers"},
		PostedAt: "2024-06-02T09:00:00Z", Expect: "suspicious", Brands: []string{"nike", "puma"},
		Shows: "Nike and Puma marks on two shoes; banners '1:1 mirror quality' and 'WhatsApp +44 7700 900123'"},
	{Platform: "mastodon", ExternalID: "112580000000000006", Title: "Citrus still life, A3 photo print",
		Desc: "Printed on matte paper.", Price: 12, Currency: "EUR",
		Seller: "lenscraft", Images: []string{"citrus-print.jpg"}, Tags: []string{"deals", "photography"},
		PostedAt: "2024-06-02T11:30:00Z", Expect: "clean", Brands: []string{},
		Shows: "a fruit photo, no mark, no text"},
	{Platform: "mastodon", ExternalID: "112580000000000007", Title: "Red squirrel, framed wildlife print",
		Desc: "Signed by the photographer.", Price: 40, Currency: "EUR",
		Seller: "lenscraft", Images: []string{"squirrel-print.jpg"}, Tags: []string{"deals", "wildlife"},
		PostedAt: "2024-06-02T13:00:00Z", Expect: "clean", Brands: []string{},
		Shows: "a squirrel photo, no mark, no text"},
	{Platform: "mastodon", ExternalID: "112580000000000008", Title: "Plain grey sneakers size 42, unbranded",
		Desc: "No logo, vegan materials, made in Portugal.", Price: 49, Currency: "EUR",
		Seller: "slowshoes", Images: []string{"plain-sneaker.jpg"}, Tags: []string{"deals", "sneakers"},
		PostedAt: "2024-06-02T15:00:00Z", Expect: "clean", Brands: []string{},
		Shows: "an unbranded grey shoe, no mark"},
}
