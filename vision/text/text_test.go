package text

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"counterlens/models"
)

func testBrands(t testing.TB) []models.Brand {
	t.Helper()
	b, err := os.ReadFile("testdata/brands.json")
	if err != nil {
		t.Fatal(err)
	}
	var brands []models.Brand
	if err := json.Unmarshal(b, &brands); err != nil {
		t.Fatal(err)
	}
	return brands
}

func testMatcher(t testing.TB) *Matcher {
	t.Helper()
	m := testBrands(t)
	m = append(m, models.Brand{ID: "nike-official", Name: "Niké Official Store", OfficialDomains: []string{"nike.com"}})
	return NewMatcher(m, nil)
}

var listing = Options{Source: models.SourceListingText, Region: "GB"}

func byType(sigs []models.Signal, typ models.SignalType) []models.Signal {
	var out []models.Signal
	for _, s := range sigs {
		if s.Type == typ {
			out = append(out, s)
		}
	}
	return out
}

func TestFindTextBrands(t *testing.T) {
	m := testMatcher(t)
	tests := []struct {
		name  string
		text  string
		want  []string // brand IDs in order
		value string   // Value of the first hit, if set
	}{
		{"plain name", "Nike Air Max 90 size 42", []string{"nike"}, "nike"},
		{"leetspeak", "N1KE air max", []string{"nike"}, "n1ke"},
		{"leetspeak symbols", "ad!das superstar and $upreme box logo", []string{"adidas", "supreme"}, "ad!das"},
		{"leetspeak digits", "4D1D4S trainers", []string{"adidas"}, "4d1d4s"},
		{"spaced letters", "G U C C I belt", []string{"gucci"}, "g u c c i"},
		{"dotted letters", "real n.i.k.e here", []string{"nike"}, "n.i.k.e"},
		{"dashed letters", "P-R-A-D-A bag", []string{"prada"}, "p-r-a-d-a"},
		{"split word", "GUC CI bag", []string{"gucci"}, "guc ci"},
		{"cyrillic look-alikes", "Guссi bag", []string{"gucci"}, "guссi"},
		{"greek capitals", "ΝΙΚΕ shoes", []string{"nike"}, "νικε"},
		{"fullwidth", "ＲＯＬＥＸ watch", []string{"rolex"}, "rolex"},
		{"accented name", "Hermes Birkin", []string{"hermes"}, "hermes"},
		{"multi-word name", "Louis Vuitton Neverfull", []string{"louis-vuitton"}, "louis vuitton"},
		{"multi-word with l for i", "LOUlS VUlTTON", []string{"louis-vuitton"}, ""},
		{"alias", "LV monogram", []string{"louis-vuitton"}, "lv"},
		{"short alias needs its letters", "chapter IV of the book", nil, ""},
		{"ocr confusion long name", "BALENCIAQA triple s", []string{"balenciaga"}, "balenciaqa"},
		{"ocr rn for m", "Arrnani jeans", []string{"armani"}, "arrnani"},
		{"ocr one confusion five letters", "GUOCI", []string{"gucci"}, ""},
		{"doubled letter in long name", "Burbberry scarf", []string{"burberry"}, ""},
		{"two brands", "nike x off-white", []string{"nike", "off-white"}, ""},
		{"short name fuzzy refused", "hike bike mike nice", nil, ""},
		{"ordinary neighbours", "please apply the channel in the chapel", nil, ""},
		{"brand inside a word is not a mention", "nikes", nil, ""},
		{"letters spelt across a sentence do not join", "G. Ucci said", nil, ""},
		// tesseract read "N1KE" as "N1iKE" on BenchmarkOCR's dev set
		{"ocr read 1 as 1i", "N1iKE", []string{"nike"}, "n1ike"},
		{"ocr read 1 as 1l", "AD1lDAS", []string{"adidas"}, ""},
		{"letter inserted before the digit", "Ni1KE", []string{"nike"}, ""},
		{"inserted letter needs leetspeak", "NIIKE", nil, ""},
		{"inserted letter away from the digit", "N1KEE", nil, ""},
		{"inserted letter in a short name", "L1V", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := byType(m.FindText(tc.text, listing), models.SignalListingTextBrand)
			var ids []string
			for _, s := range got {
				ids = append(ids, s.BrandID)
				if s.Source != models.SourceListingText || s.Reason == "" || s.Confidence <= 0 || s.Confidence > 1 {
					t.Errorf("bad signal %+v", s)
				}
				if s.ImageIndex != nil || s.BBox != nil {
					t.Errorf("FindText set ImageIndex or BBox: %+v", s)
				}
			}
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("FindText(%q) brands = %v, want %v (%+v)", tc.text, ids, tc.want, got)
			}
			if tc.value != "" && got[0].Value != tc.value {
				t.Errorf("Value = %q, want %q", got[0].Value, tc.value)
			}
		})
	}
}

func TestBrandConfidenceOrder(t *testing.T) {
	m := testMatcher(t)
	conf := func(s string) float64 {
		got := byType(m.FindText(s, listing), models.SignalListingTextBrand)
		if len(got) != 1 {
			t.Fatalf("FindText(%q) = %+v, want one brand", s, got)
		}
		return got[0].Confidence
	}
	plain, leet, fuzzy := conf("Balenciaga"), conf("Ba1enciaga"), conf("Balenclaqa")
	if !(plain > leet && leet > fuzzy) {
		t.Errorf("confidence plain %v, leet %v, fuzzy %v: want decreasing", plain, leet, fuzzy)
	}
	if leet, inserted := conf("N1KE"), conf("N1iKE"); inserted >= leet {
		t.Errorf("confidence leet %v, leet with a letter inserted %v: want decreasing", leet, inserted)
	}
}

func TestImageTextBrandType(t *testing.T) {
	m := testMatcher(t)
	got := m.FindText("N1KE", Options{Source: models.SourceImageText})
	if len(got) != 2 || got[0].Type != models.SignalImageTextBrand || got[0].Source != models.SourceImageText ||
		got[1].Type != models.SignalDisguisedBrand || got[1].Source != models.SourceImageText {
		t.Fatalf("got %+v, want one image_text_brand and its disguised_brand", got)
	}
	if want := `image text "N1KE" reads as brand Nike`; got[0].Reason != want {
		t.Errorf("Reason = %q, want %q", got[0].Reason, want)
	}
}

// TestOrdinaryWords checks a curated list of ordinary words, many of them
// one letter away from a registered brand, against the brand matcher.
func TestOrdinaryWords(t *testing.T) {
	m := testMatcher(t)
	f, err := os.Open("testdata/ordinary.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		w := strings.TrimSpace(sc.Text())
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		n++
		for _, s := range m.FindText(w, listing) {
			if s.Type == models.SignalListingTextBrand {
				t.Errorf("ordinary word %q flagged: %s", w, s.Reason)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d words in testdata/ordinary.txt", n)
	}
}

func TestFindTextRiskTerms(t *testing.T) {
	m := testMatcher(t)
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"english replica", "Top replica watches", []string{"replica"}},
		{"ratio", "1:1 quality, best version", []string{"1:1"}},
		{"ratio with spaces", "grade 1 : 1", []string{"1:1"}},
		{"ratio read by ocr", "l:l copy", []string{"1:1", "copy"}},
		{"time is not a ratio", "open 11:15 to 1:10", nil},
		{"aaa plus", "AAA+ quality", []string{"aaa"}},
		{"aaa batteries", "needs 2 AAA batteries", nil},
		{"aaa batterien", "3 AAA-Batterien enthalten", nil},
		{"mirror quality", "mirror quality, factory original", []string{"mirror quality", "factory original"}},
		{"mirror alone", "bathroom mirror, oak frame", nil},
		{"super copy beats copy", "super copy rolex", []string{"super copy"}},
		{"copyright", "Copyright 2024 all rights reserved", nil},
		{"hard copy", "hard copy of the manual", nil},
		{"ua on its own", "UA version sneakers", []string{"ua"}},
		{"ua inside words", "usual quality, guarantee", nil},
		{"oem inside words", "a poem for phoenix", nil},
		{"oem", "OEM factory", []string{"oem"}},
		{"unauthorized authentic", "unauthorized authentic pair", []string{"ua"}},
		{"not original", "not original, sold as is", []string{"not original"}},
		{"no original box", "no original box, just the shoes", nil},
		{"not fake", "100% authentic, not fake", nil},
		{"not a replica", "this is not a replica", nil},
		{"fake fur", "fake fur collar", nil},
		{"dupe", "Best dupe of the bag", []string{"dupe"}},
		{"german", "Nachbau, keine Fälschung? Doch: gefälschte Kopie", []string{"replica", "fake", "copy"}},
		{"german not original", "nicht original", []string{"not original"}},
		{"french", "réplique, contrefaçon, pas original", []string{"replica", "counterfeit", "not original"}},
		{"spanish", "réplica, falsificación, copia, no es original", []string{"replica", "counterfeit", "copy", "not original"}},
		{"italian", "replica, falso, non originale, contraffatto", []string{"replica", "fake", "not original", "counterfeit"}},
		{"polish", "replika, kopia, podróbka, nie oryginał", []string{"replica", "copy", "counterfeit", "not original"}},
		{"czech", "replika, padělek, neoriginální", []string{"replica", "counterfeit", "not original"}},
		{"dutch", "replica, namaak, niet origineel, kopie", []string{"replica", "counterfeit", "not original", "copy"}},
		{"leet", "R3PL1CA", []string{"replica"}},
		{"spaced", "R E P L I C A", []string{"replica"}},
		{"imitation leather", "imitation leather strap", nil},
		{"imitation", "imitation watch", []string{"imitation"}},
		{"inspired by", "inspired by Chanel", []string{"inspired by"}},
		{"knock-off", "knock-off bag", []string{"knockoff"}},
		{"3a", "3A grade", []string{"aaa"}},
		{"ea is not 3a", "EA games", nil},
		{"anti-counterfeit", "anti-counterfeit hologram", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, s := range byType(m.FindText(tc.text, listing), models.SignalRiskTerm) {
				got = append(got, s.Value)
				if s.Reason == "" || s.Source != models.SourceListingText {
					t.Errorf("bad signal %+v", s)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("FindText(%q) risk terms = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestFindTextContacts(t *testing.T) {
	m := testMatcher(t)
	type c struct{ kind, value string }
	tests := []struct {
		name   string
		text   string
		region string
		want   []c
	}{
		{"whatsapp", "WhatsApp +44 7700 900123", "", []c{{"whatsapp", "+447700900123"}}},
		{"whats app spelt", "what's app: +44 7911 123456", "", []c{{"whatsapp", "+447911123456"}}},
		{"wa short", "WA: +33 6 12 34 56 78", "", []c{{"whatsapp", "+33612345678"}}},
		{"cue after number", "+49 1512 3456789 (WhatsApp)", "", []c{{"whatsapp", "+4915123456789"}}},
		{"wa.me link", "order at wa.me/447700900123 now", "", []c{{"whatsapp", "+447700900123"}}},
		{"national number with region", "call 07911 123456", "GB", []c{{"phone", "+447911123456"}}},
		{"national number without region", "call 07911 123456", "", nil},
		{"ocr O for 0", "Tel +44 77OO 9OO123", "", []c{{"phone", "+447700900123"}}},
		{"zero zero prefix", "phone 0086 138 0013 8000", "", []c{{"phone", "+8613800138000"}}},
		{"wechat id", "WeChat: shoeking88", "", []c{{"wechat", "shoeking88"}}},
		{"wechat chinese", "微信：ShoeKing88", "", []c{{"wechat", "shoeking88"}}},
		{"wechat vx", "VX: lux_bags", "", []c{{"wechat", "lux_bags"}}},
		{"wechat v colon", "V: luxbags2024", "", []c{{"wechat", "luxbags2024"}}},
		{"wechat number", "WeChat +86 138 0013 8000", "", []c{{"wechat", "+8613800138000"}}},
		{"wechat word is not an id", "WeChat available for chat", "", nil},
		{"telegram handle", "Telegram @SneakerPlug", "", []c{{"telegram", "sneakerplug"}}},
		{"tg handle", "TG: sneaker_plug", "", []c{{"telegram", "sneaker_plug"}}},
		{"t.me link", "t.me/sneakerplug", "", []c{{"telegram", "sneakerplug"}}},
		{"t.me https", "https://t.me/SneakerPlug/12", "", []c{{"telegram", "sneakerplug"}}},
		{"email", "mail: Shoe.King@Example.COM.", "", []c{{"email", "shoe.king@example.com"}}},
		{"email at obfuscated", "shoeking (at) gmail.com", "", []c{{"email", "shoeking@gmail.com"}}},
		{"url", "see www.Example.com/Path/Item?ref=1.", "", []c{{"url", "example.com/Path/Item"}}},
		{"bare domain", "shop at replica-shop.top", "", []c{{"url", "replica-shop.top"}}},
		{"official domain skipped", "more at https://www.nike.com/gb", "", nil},
		{"decimal is not a domain", "size 10.5 only, e.g. black", "", nil},
		{"two numbers two kinds", "WhatsApp +44 7911 123456 WeChat: shoeking88", "", []c{{"wechat", "shoeking88"}, {"whatsapp", "+447911123456"}}},
		{"stray digit after the number", "WhatsApp +44 7911 123456 9", "", []c{{"whatsapp", "+447911123456"}}},
		{"stray group after a national number", "call 07911 123456 12", "GB", []c{{"phone", "+447911123456"}}},
		{"price is not a phone", "now €19.99, was 1299.00", "GB", nil},
		{"date is not a phone", "posted 2024-01-15", "GB", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []c
			for _, s := range byType(m.FindText(tc.text, Options{Source: models.SourceListingText, Region: tc.region}), models.SignalContact) {
				got = append(got, c{s.Kind, s.Value})
			}
			slices.SortFunc(got, func(a, b c) int { return strings.Compare(a.kind+a.value, b.kind+b.value) })
			if !slices.Equal(got, tc.want) {
				t.Errorf("FindText(%q) contacts = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

func TestFindWords(t *testing.T) {
	m := testMatcher(t)
	words := []models.Word{
		{Text: "REPLICA", Confidence: 0.96, BBox: models.BBox{X: 10, Y: 20, W: 100, H: 30}},
		{Text: "G", Confidence: 0.9, BBox: models.BBox{X: 10, Y: 60, W: 12, H: 20}},
		{Text: "U", Confidence: 0.9, BBox: models.BBox{X: 30, Y: 61, W: 12, H: 20}},
		{Text: "C", Confidence: 0.9, BBox: models.BBox{X: 50, Y: 60, W: 12, H: 20}},
		{Text: "C", Confidence: 0.9, BBox: models.BBox{X: 70, Y: 60, W: 12, H: 20}},
		{Text: "I", Confidence: 0.9, BBox: models.BBox{X: 90, Y: 59, W: 5, H: 22}},
		{Text: "WhatsApp", Confidence: 0.5, BBox: models.BBox{X: 10, Y: 100, W: 90, H: 20}},
		{Text: "+44", Confidence: 0.5, BBox: models.BBox{X: 110, Y: 100, W: 40, H: 20}},
		{Text: "7700", Confidence: 0.5, BBox: models.BBox{X: 160, Y: 100, W: 50, H: 20}},
		{Text: "900123", Confidence: 0.5, BBox: models.BBox{X: 220, Y: 100, W: 70, H: 20}},
	}
	got := m.FindWords(words, Options{Source: models.SourceImageText})
	want := map[models.SignalType]models.BBox{
		models.SignalRiskTerm:       {X: 10, Y: 20, W: 100, H: 30},
		models.SignalImageTextBrand: {X: 10, Y: 59, W: 85, H: 22},
		models.SignalDisguisedBrand: {X: 10, Y: 59, W: 85, H: 22},
		models.SignalContact:        {X: 110, Y: 100, W: 180, H: 20},
	}
	if len(got) != len(want) {
		t.Fatalf("FindWords = %+v, want %d signals", got, len(want))
	}
	text := m.FindText("REPLICA G U C C I WhatsApp +44 7700 900123", Options{Source: models.SourceImageText})
	for _, s := range got {
		w, ok := want[s.Type]
		if !ok || s.BBox == nil || *s.BBox != w {
			t.Errorf("%s: BBox = %+v, want %+v", s.Type, s.BBox, w)
		}
		for _, ts := range text {
			if ts.Type == s.Type && ts.Value == s.Value && s.Confidence >= ts.Confidence {
				t.Errorf("%s: OCR confidence not considered: %v >= %v", s.Type, s.Confidence, ts.Confidence)
			}
		}
	}
	for _, s := range got {
		if s.Type == models.SignalContact && (s.Kind != models.ContactWhatsApp || s.Value != "+447700900123") {
			t.Errorf("contact = %s %s, want whatsapp +447700900123", s.Kind, s.Value)
		}
	}
}

// TestFindWordsLines: a word on another line of the picture is not the
// context of a risk term ("de" above "KOPIE" does not make it "de kopie"),
// while the same word on the term's own line is.
func TestFindWordsLines(t *testing.T) {
	m := testMatcher(t)
	de := models.Word{Text: "de", Confidence: 0.9, BBox: models.BBox{X: 300, Y: 40, W: 30, H: 20}}
	tests := []struct {
		name  string
		words []models.Word
		want  []string
	}{
		{"context on another line", []models.Word{de,
			{Text: "KOPIE", Confidence: 0.9, BBox: models.BBox{X: 500, Y: 400, W: 80, H: 20}}}, []string{"copy"}},
		{"context on the same line", []models.Word{de,
			{Text: "KOPIE", Confidence: 0.9, BBox: models.BBox{X: 340, Y: 42, W: 80, H: 20}}}, nil},
		{"next line starts back left", []models.Word{
			{Text: "no", Confidence: 0.9, BBox: models.BBox{X: 300, Y: 40, W: 30, H: 20}},
			{Text: "fake", Confidence: 0.9, BBox: models.BBox{X: 10, Y: 45, W: 60, H: 20}}}, []string{"fake"}},
		{"words without boxes run on", []models.Word{{Text: "de"}, {Text: "KOPIE"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, s := range byType(m.FindWords(tc.words, Options{Source: models.SourceImageText}), models.SignalRiskTerm) {
				got = append(got, s.Value)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("risk terms = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDedupe(t *testing.T) {
	m := testMatcher(t)
	got := m.FindText("replica REPLICA replica, nike NIKE, WhatsApp +44 7911 123456 whatsapp +447911123456", listing)
	count := map[string]int{}
	for _, s := range got {
		count[string(s.Type)+"/"+s.Value]++
	}
	for k, n := range count {
		if n > 1 {
			t.Errorf("%s reported %d times", k, n)
		}
	}
	if count["risk_term/replica"] != 1 || count["contact/+447911123456"] != 1 || count["listing_text_brand/nike"] != 1 {
		t.Errorf("got %v", count)
	}
}

func TestParsePrices(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []models.Money
	}{
		{"euro symbol", "only €19.99!", []models.Money{{Amount: 19.99, Currency: "EUR"}}},
		{"code after, comma decimal", "19,99 EUR", []models.Money{{Amount: 19.99, Currency: "EUR"}}},
		{"dollar", "$25", []models.Money{{Amount: 25, Currency: "USD"}}},
		{"hong kong dollar", "HK$ 200", []models.Money{{Amount: 200, Currency: "HKD"}}},
		{"thousands", "£1,299.00 or 1.299,00 €", []models.Money{{Amount: 1299, Currency: "GBP"}, {Amount: 1299, Currency: "EUR"}}},
		{"zloty", "49 zł", []models.Money{{Amount: 49, Currency: "PLN"}}},
		{"code before", "EUR 15", []models.Money{{Amount: 15, Currency: "EUR"}}},
		{"none", "size 42, 3 colours", nil},
		{"dollar sign in word", "$upreme tee", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParsePrices(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("ParsePrices(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseLexicon(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"valid", `{"terms":[{"value":"replica","confidence":0.9,"patterns":["replica"]}]}`, true},
		{"not json", `{`, false},
		{"no value", `{"terms":[{"confidence":0.9,"patterns":["x"]}]}`, false},
		{"bad confidence", `{"terms":[{"value":"x","confidence":2,"patterns":["x"]}]}`, false},
		{"no patterns", `{"terms":[{"value":"x","confidence":0.5}]}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseLexicon([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Errorf("ParseLexicon error = %v, want ok %v", err, tc.ok)
			}
		})
	}
	if lex := DefaultLexicon(); len(lex.terms) < 15 {
		t.Errorf("default lexicon has %d terms", len(lex.terms))
	}
}

func TestCustomLexicon(t *testing.T) {
	lex, err := ParseLexicon([]byte(`{"terms":[{"value":"gray market","confidence":0.5,"patterns":["gray market","grey market"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatcher(nil, lex)
	got := m.FindText("Grey market and replica", listing)
	if len(got) != 1 || got[0].Value != "gray market" {
		t.Errorf("got %+v, want only gray market", got)
	}
}

func FuzzFindText(f *testing.F) {
	for _, s := range []string{"N1KE 1:1 WhatsApp +44 7700 900123", "G U C C I", "微信：abc123", "x@y.z", "1.299,00 €", "\xff\xfe", "ﬁ ß İ"} {
		f.Add(s)
	}
	m := NewMatcher([]models.Brand{{ID: "nike", Name: "Nike"}, {ID: "lv", Name: "Louis Vuitton", Aliases: []string{"LV"}}}, nil)
	f.Fuzz(func(t *testing.T, s string) {
		for _, sig := range m.FindText(s, listing) {
			if sig.Confidence < 0 || sig.Confidence > 1 {
				t.Errorf("confidence %v out of range", sig.Confidence)
			}
		}
		_ = ParsePrices(s)
	})
}
