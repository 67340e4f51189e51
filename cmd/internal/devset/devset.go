// Package devset builds labelled development listings from real inputs, to
// measure and calibrate the ranking (issue 8): registered brand marks and
// distractor marks (simple-icons) composited into real photos (opencv-doc
// samples), text drawn into them with real fonts (DejaVu, Liberation), and
// titles, descriptions, sellers and prices of several kinds of offer.
// Everything follows the seed.
//
// A listing is positive when it is a counterfeit offer that carries a
// registered mark or the brand's name (in the picture or in its text), as
// issue 8 defines it. The other kinds are the negatives an officer must not
// be buried under: honest resale and brand mentions at normal prices,
// authorised sellers, listings without any brand, marks of brands nobody
// registered, and replica talk about unregistered brands.
package devset

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"golang.org/x/image/font/opentype"

	"counterlens/internal/synth"
	"counterlens/models"
)

// Kind is the kind of a development listing.
type Kind string

// The kinds of listing, with their share of a set in [Build].
const (
	// Counterfeit offers a fake of a registered brand (positive).
	Counterfeit Kind = "counterfeit"
	// Resale is an honest resale or brand mention at a normal price.
	Resale Kind = "resale"
	// Authorized is sold by the brand's authorised seller.
	Authorized Kind = "authorized"
	// Clean shows and names no brand.
	Clean Kind = "clean"
	// Distractor shows marks of brands nobody registered.
	Distractor Kind = "distractor"
	// UnbrandedReplica writes replica talk about an unregistered brand.
	UnbrandedReplica Kind = "unbranded_replica"
)

var kindShares = []struct {
	kind  Kind
	share float64
}{{Counterfeit, 0.40}, {Resale, 0.20}, {Authorized, 0.08}, {Clean, 0.14}, {Distractor, 0.12}, {UnbrandedReplica, 0.06}}

// Listing is a development listing with what was put into it.
type Listing struct {
	Listing models.Listing
	// Images are JPEG bytes, in listing order.
	Images [][]byte
	Kind   Kind
	// Positive: a counterfeit offer with a registered mark or brand text.
	Positive bool
	// BrandID is the registered brand offered or mentioned, if any.
	BrandID string
	// Truth lists what was drawn and written, for reading misses.
	Truth []string
}

// Inputs are the real materials listings are built from.
type Inputs struct {
	// Marks are the registered brands' marks by brand id (transparent
	// background, or dark on light).
	Marks map[string]image.Image
	// Distractors are marks of brands nobody registered.
	Distractors []image.Image
	// Scenes are photos the marks and text are put into.
	Scenes []image.Image
	Fonts  []*opentype.Font
}

// brandInfo is what the text generator knows of a registered brand.
type brandInfo struct {
	ID, Name string
	Aliases  []string
	Floor    float64 // EUR
	Products []string
}

var (
	sportswear  = []string{"sneakers", "running shoes", "hoodie", "tracksuit", "jacket", "t-shirt", "cap", "backpack"}
	electronics = []string{"wireless headphones", "earbuds", "phone case", "bluetooth speaker", "controller", "charger"}
	drinks      = []string{"tumbler", "travel mug", "mini fridge", "cap", "t-shirt", "thermos bottle"}
)

// brandTable are the 16 registered brands of the benchmarks
// (the 16 benchmark brands of DEVELOPERS.md): simple-icons slug as id, a made-up rights
// holder's floor price.
var brandTable = []brandInfo{
	{"nike", "Nike", []string{"swoosh"}, 60, sportswear},
	{"adidas", "adidas", []string{"three stripes"}, 50, sportswear},
	{"puma", "Puma", nil, 40, sportswear},
	{"reebok", "Reebok", nil, 45, sportswear},
	{"fila", "Fila", nil, 35, sportswear},
	{"newbalance", "New Balance", []string{"NB"}, 60, sportswear},
	{"underarmour", "Under Armour", nil, 40, sportswear},
	{"thenorthface", "The North Face", []string{"north face", "TNF"}, 80, sportswear},
	{"apple", "Apple", []string{"iPhone", "AirPods"}, 150, electronics},
	{"samsung", "Samsung", []string{"Galaxy"}, 120, electronics},
	{"sony", "Sony", nil, 80, electronics},
	{"playstation", "PlayStation", []string{"PS5"}, 45, electronics},
	{"starbucks", "Starbucks", nil, 15, drinks},
	{"redbull", "Red Bull", nil, 20, drinks},
	{"cocacola", "Coca-Cola", []string{"Coke"}, 15, drinks},
	{"jbl", "JBL", nil, 40, electronics},
}

// RegisteredIDs are the ids (simple-icons slugs) of the registered brands.
func RegisteredIDs() []string {
	ids := make([]string, len(brandTable))
	for i, b := range brandTable {
		ids[i] = b.ID
	}
	return ids
}

// Brands returns the registered brands with their policy: a floor price in
// EUR and one authorised seller, "<id>-official". Only those with a mark in
// marks are returned (all of them when marks is nil).
func Brands(marks map[string]image.Image) []models.Brand {
	var out []models.Brand
	for _, b := range brandTable {
		if marks != nil && marks[b.ID] == nil {
			continue
		}
		out = append(out, models.Brand{
			ID: b.ID, Name: b.Name, Aliases: slices.Clone(b.Aliases),
			MinPrice:          &models.Money{Amount: b.Floor, Currency: "EUR"},
			AuthorizedSellers: []string{b.ID + "-official"},
		})
	}
	return out
}

// Build makes n listings from in, following seed. Only brands with a mark
// in in.Marks are used.
func Build(in Inputs, seed uint64, n int) ([]Listing, error) {
	if len(in.Scenes) == 0 || len(in.Fonts) == 0 || len(in.Distractors) == 0 {
		return nil, errors.New("devset: need scenes, fonts and distractor marks")
	}
	g := &gen{in: in, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		alpha: map[string]*image.Alpha{}}
	for _, b := range brandTable {
		if m := in.Marks[b.ID]; m != nil {
			g.brands = append(g.brands, b)
			g.alpha[b.ID] = synth.MarkAlpha(m)
		}
	}
	if len(g.brands) == 0 {
		return nil, errors.New("devset: no mark of a registered brand")
	}
	for _, d := range in.Distractors {
		g.dAlpha = append(g.dAlpha, synth.MarkAlpha(d))
	}
	out := make([]Listing, 0, n)
	for i := range n {
		l, err := g.listing(i, pickKind(g.rng.Float64()))
		if err != nil {
			return nil, fmt.Errorf("devset: listing %d: %w", i, err)
		}
		out = append(out, l)
	}
	return out, nil
}

func pickKind(u float64) Kind {
	for _, k := range kindShares {
		if u < k.share {
			return k.kind
		}
		u -= k.share
	}
	return Clean
}

type gen struct {
	in     Inputs
	rng    *rand.Rand
	brands []brandInfo
	alpha  map[string]*image.Alpha
	dAlpha []*image.Alpha
}

// picture is what goes into one photo.
type picture struct {
	marks       []*image.Alpha
	distractors int
	banners     []string
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *gen, xs []T) T { return xs[g.rng.IntN(len(xs))] }

var (
	pictureRisk = []string{"REPLICA", "1:1 QUALITY", "AAA+ GRADE", "SUPER COPY", "MIRROR QUALITY", "UA VERSION", "TOP COPY"}
	textRisk    = []string{"1:1 mirror quality", "AAA replica", "top copy", "super copy", "replica grade", "factory original", "dupe"}
	benign      = []string{"FREE SHIPPING", "NEW COLLECTION", "SUMMER SALE -50%", "100% AUTHENTIC", "IN STOCK", "BEST SELLER"}
	colours     = []string{"black", "white", "red", "navy", "grey", "green"}
	unregs      = []string{"Anta", "Li-Ning", "Xiaomi", "Bose", "Zara", "Bata"}
	shopPhones  = []string{"Tel +33 6 12 34 56 78", "call 020 7946 0958", "phone +49 30 901820"}
)

func (g *gen) handle() string {
	syl := []string{"lux", "shoe", "kick", "plug", "style", "brand", "vip", "best", "top", "king"}
	return pick(g, syl) + pick(g, syl) + fmt.Sprint(10+g.rng.IntN(90))
}

func (g *gen) contact() string {
	h := g.handle()
	switch g.rng.IntN(5) {
	case 0:
		return fmt.Sprintf("WhatsApp +44 7911 %06d", g.rng.IntN(1000000))
	case 1:
		return "WeChat: " + h
	case 2:
		return "t.me/" + h
	case 3:
		return "mail: " + h + "@gmail.com"
	}
	return fmt.Sprintf("WhatsApp +86 138 %04d %04d", g.rng.IntN(10000), g.rng.IntN(10000))
}

// obfuscate writes a brand name the way evaders do: a letter swapped for a
// digit, the letters spaced out, or plain upper case.
func (g *gen) obfuscate(name string) string {
	swap := map[rune]rune{'o': '0', 'i': '1', 'e': '3', 'a': '4', 's': '5', 'l': '1'}
	switch g.rng.IntN(3) {
	case 0:
		rs := []rune(strings.ToUpper(name))
		var at []int
		for i, r := range rs {
			if _, ok := swap[r+('a'-'A')]; ok && i > 0 {
				at = append(at, i)
			}
		}
		if len(at) > 0 {
			i := pick(g, at)
			rs[i] = swap[rs[i]+('a'-'A')]
		}
		return string(rs)
	case 1:
		if !strings.Contains(name, " ") && len(name) <= 7 {
			return strings.Join(strings.Split(strings.ToUpper(name), ""), " ")
		}
	}
	return strings.ToUpper(name)
}

func (g *gen) price(floor, lo, hi float64) float64 {
	return math.Round(floor*(lo+(hi-lo)*g.rng.Float64())*100) / 100
}

func (g *gen) listing(i int, kind Kind) (Listing, error) {
	l := Listing{Kind: kind, Listing: models.Listing{
		ID: fmt.Sprintf("dev-%04d", i), Platform: "devset", ExternalID: fmt.Sprint(i),
		Currency: "EUR", Seller: g.handle(),
	}}
	var pic picture
	b := pick(g, g.brands)
	product := pick(g, b.Products)
	switch kind {
	case Counterfeit:
		l.BrandID, l.Positive = b.ID, true
		markIn := g.chance(0.75)
		picText := g.chance(0.3) || !markIn && g.chance(0.5)
		titled := g.chance(0.5)
		if !markIn && !picText {
			titled = true // a positive carries the brand somewhere
		}
		if markIn {
			pic.marks = append(pic.marks, g.alpha[b.ID])
			l.Truth = append(l.Truth, "mark "+b.ID)
		}
		if picText {
			t := g.obfuscate(b.Name)
			pic.banners = append(pic.banners, t)
			l.Truth = append(l.Truth, "picture text "+t)
		}
		if g.chance(0.45) {
			pic.banners = append(pic.banners, pick(g, pictureRisk))
		}
		if g.chance(0.35) {
			pic.banners = append(pic.banners, g.contact())
		}
		if titled {
			name := b.Name
			if g.chance(0.5) {
				name = g.obfuscate(b.Name)
			}
			l.Listing.Title = name + " " + product
		} else {
			l.Listing.Title = pick(g, colours) + " " + product + pick(g, []string{" size 42", " new", " best price", ""})
			l.Truth = append(l.Truth, "picture-only title")
		}
		if g.chance(0.4) {
			l.Listing.Title += " " + pick(g, textRisk)
		}
		desc := []string{"Fast shipping."}
		if g.chance(0.2) {
			desc = append(desc, "Contact "+g.contact())
		}
		l.Listing.Desc = strings.Join(desc, " ")
		if g.chance(0.6) {
			l.Listing.Price = g.price(b.Floor, 0.15, 0.7)
		} else {
			l.Listing.Price = g.price(b.Floor, 1.05, 2)
		}
	case Resale, Authorized:
		l.BrandID = b.ID
		if kind == Authorized {
			l.Listing.Seller = b.ID + "-official"
		}
		if g.chance(map[Kind]float64{Resale: 0.7, Authorized: 0.9}[kind]) {
			pic.marks = append(pic.marks, g.alpha[b.ID])
			l.Truth = append(l.Truth, "mark "+b.ID)
		}
		if g.chance(0.25) {
			pic.banners = append(pic.banners, pick(g, benign))
		}
		// Honest shops write the brand into their photos too (a shop's
		// watermark, "official store"), and sometimes their phone number.
		if g.chance(map[Kind]float64{Resale: 0.2, Authorized: 0.3}[kind]) {
			t := pick(g, []string{b.Name, strings.ToUpper(b.Name), b.Name + " official store", "genuine " + b.Name})
			pic.banners = append(pic.banners, t)
			l.Truth = append(l.Truth, "picture text "+t)
		}
		if g.chance(0.05) {
			pic.banners = append(pic.banners, pick(g, shopPhones))
		}
		l.Listing.Title = pick(g, []string{"Used ", "Original ", "Genuine ", ""}) + b.Name + " " + product
		l.Listing.Desc = pick(g, []string{"Worn twice, receipt included.", "Bought in store, box included.", "Official product, 2 year warranty."})
		if g.chance(0.1) {
			l.Listing.Desc += " " + pick(g, shopPhones)
		}
		l.Listing.Price = g.price(b.Floor, 1.0, 2.5)
		if kind == Resale && g.chance(0.15) {
			l.Listing.Price = g.price(b.Floor, 0.6, 0.95) // used, below the new floor
		}
	case Clean, Distractor:
		if kind == Distractor {
			pic.distractors = 1 + g.rng.IntN(2)
			l.Truth = append(l.Truth, fmt.Sprintf("%d distractor marks", pic.distractors))
		}
		if g.chance(0.3) {
			pic.banners = append(pic.banners, pick(g, benign))
		}
		l.Listing.Title = pick(g, colours) + " " + pick(g, append(append(slices.Clone(sportswear), electronics...), drinks...))
		l.Listing.Desc = "Good condition."
		l.Listing.Price = float64(5 + g.rng.IntN(200))
	case UnbrandedReplica:
		pic.distractors = 1
		pic.banners = append(pic.banners, pick(g, pictureRisk))
		if g.chance(0.5) {
			pic.banners = append(pic.banners, g.contact())
		}
		l.Listing.Title = pick(g, unregs) + " " + product + " " + pick(g, textRisk)
		l.Listing.Desc = "Cheap, fast shipping."
		l.Listing.Price = float64(5 + g.rng.IntN(40))
	}
	l.Truth = append(l.Truth, pic.banners...)
	img, lost, err := g.draw(pic)
	if err != nil {
		return l, err
	}
	if lost > 0 {
		l.Truth = append(l.Truth, fmt.Sprintf("%d items found no room in the photo", lost))
		if kind == Counterfeit && !strings.Contains(strings.Join(l.Truth, " "), "picture text") {
			l.Listing.Title = b.Name + " " + l.Listing.Title // it must carry its brand
		}
	}
	l.Images = [][]byte{img}
	l.Listing.ImageURLs = []string{fmt.Sprintf("devset://%s/0.jpg", l.Listing.ID)}
	return l, nil
}

// draw composes one photo: a crop of a scene, the banners, then the marks
// where they do not cover a banner. It says how many banners or marks found
// no room.
func (g *gen) draw(p picture) ([]byte, int, error) {
	W, H := 1000, 750
	if g.rng.IntN(4) == 0 {
		W, H = 750, 1000
	}
	dst := synth.SceneCrop(pick(g, g.in.Scenes), W, H, g.rng)
	var taken []image.Rectangle
	lost := 0
	for _, text := range p.banners {
		f := pick(g, g.in.Fonts)
		size := float64(28 + g.rng.IntN(5)*7)
		sz, err := synth.BannerBox(f, text, size)
		if err != nil {
			return nil, 0, err
		}
		for size > 16 && sz.X > W-20 {
			size -= 4
			if sz, err = synth.BannerBox(f, text, size); err != nil {
				return nil, 0, err
			}
		}
		lost++
		for range 20 {
			at := image.Pt(10+g.rng.IntN(max(1, W-sz.X-20)), 10+g.rng.IntN(max(1, H-sz.Y-20)))
			r := image.Rectangle{Min: at, Max: at.Add(sz)}
			if slices.ContainsFunc(taken, r.Overlaps) {
				continue
			}
			taken = append(taken, r)
			if err := synth.DrawBanner(dst, f, text, size, at, g.chance(0.5)); err != nil {
				return nil, 0, err
			}
			lost--
			break
		}
	}
	randColor := func() color.RGBA {
		return color.RGBA{uint8(g.rng.IntN(256)), uint8(g.rng.IntN(256)), uint8(g.rng.IntN(256)), 255}
	}
	lum := func(c color.RGBA) float64 { return 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B) }
	short := float64(min(W, H))
	place := func(m *image.Alpha) {
		lost++
		for range 30 {
			long := short * (0.12 + 0.33*g.rng.Float64())
			pl := synth.Placement{
				Long: long, Angle: g.rng.Float64()*40 - 20, Persp: 0.06 * g.rng.Float64(),
				CX: long*0.7 + g.rng.Float64()*(float64(W)-1.4*long),
				CY: long*0.7 + g.rng.Float64()*(float64(H)-1.4*long),
				FG: randColor(),
			}
			r := image.Rect(int(pl.CX-long*0.8), int(pl.CY-long*0.8), int(pl.CX+long*0.8), int(pl.CY+long*0.8))
			if slices.ContainsFunc(taken, r.Overlaps) {
				continue
			}
			if g.chance(0.7) {
				for {
					pc := randColor()
					if math.Abs(lum(pc)-lum(pl.FG)) > 60 {
						pl.Patch = &pc
						break
					}
				}
			}
			taken = append(taken, r)
			synth.Composite(dst, m, pl, g.rng)
			lost--
			return
		}
	}
	for _, m := range p.marks {
		place(m)
	}
	for range p.distractors {
		place(pick(g, g.dAlpha))
	}
	if g.chance(0.25) {
		dst = synth.Blur(dst)
	}
	out, err := synth.EncodeJPEG(dst, 70+g.rng.IntN(23))
	return out, lost, err
}
