package devset

import (
	"bytes"
	"image"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/font/opentype"

	"counterlens/models"
	"counterlens/vision/text"
)

// smallInputs are the repository's own real inputs: the demo's six brand
// marks (simple-icons), its photos as scenes (opencv-doc), Liberation
// fonts; two of the marks stand in as distractors.
func smallInputs(t *testing.T) Inputs {
	t.Helper()
	root := filepath.Join("..", "..", "..")
	in := Inputs{Marks: map[string]image.Image{}}
	for _, id := range []string{"nike", "adidas", "puma", "samsung"} {
		img, err := loadImage(filepath.Join(root, "testdata", "demo", "logos", id+".png"))
		if err != nil {
			t.Fatal(err)
		}
		in.Marks[id] = img
	}
	for _, id := range []string{"starbucks", "thenorthface"} {
		img, err := loadImage(filepath.Join(root, "testdata", "demo", "logos", id+".png"))
		if err != nil {
			t.Fatal(err)
		}
		in.Distractors = append(in.Distractors, img)
	}
	for _, f := range []string{"fruits.jpg", "home.jpg", "building.jpg"} {
		img, err := loadImage(filepath.Join(root, "vision", "ocr", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		in.Scenes = append(in.Scenes, img)
	}
	for _, f := range []string{"LiberationSans-Bold.ttf", "LiberationSans-Regular.ttf"} {
		font, err := LoadFont(filepath.Join(root, "vision", "ocr", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		in.Fonts = append(in.Fonts, font)
	}
	return in
}

func TestBuildIsDeterministicAndLabelsFollowTheKinds(t *testing.T) {
	in := smallInputs(t)
	a, err := Build(in, 7, 40)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(in, 7, 40)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Build(in, 8, 40)
	if err != nil {
		t.Fatal(err)
	}
	brands := Brands(in.Marks)
	if len(brands) != 4 {
		t.Fatalf("brands %d, want the 4 with a mark", len(brands))
	}
	m := text.NewMatcher(brands, nil)
	kinds := map[Kind]int{}
	sameAsOtherSeed := 0
	for i, l := range a {
		if !bytes.Equal(l.Images[0], b[i].Images[0]) || l.Listing.Title != b[i].Listing.Title || l.Listing.Price != b[i].Listing.Price {
			t.Fatalf("listing %d differs between two builds of one seed", i)
		}
		if bytes.Equal(l.Images[0], c[i].Images[0]) {
			sameAsOtherSeed++
		}
		if _, _, err := image.Decode(bytes.NewReader(l.Images[0])); err != nil {
			t.Fatalf("listing %d: picture does not decode: %v", i, err)
		}
		kinds[l.Kind]++
		if l.Positive != (l.Kind == Counterfeit) {
			t.Errorf("listing %d (%s) positive=%v", i, l.Kind, l.Positive)
		}
		inTitle := slices.ContainsFunc(m.FindText(l.Listing.Title, text.Options{Source: models.SourceListingText}),
			func(s models.Signal) bool { return s.BrandID == l.BrandID })
		drawn := slices.ContainsFunc(l.Truth, func(s string) bool {
			return s == "mark "+l.BrandID || strings.HasPrefix(s, "picture text ")
		})
		switch l.Kind {
		case Counterfeit:
			if !inTitle && !drawn {
				t.Errorf("positive %d carries no brand: %q %v", i, l.Listing.Title, l.Truth)
			}
		case Authorized:
			if l.Listing.Seller != l.BrandID+"-official" {
				t.Errorf("authorised listing %d sold by %q", i, l.Listing.Seller)
			}
		case Clean, Distractor, UnbrandedReplica:
			if l.BrandID != "" || slices.ContainsFunc(m.FindText(l.Listing.Title, text.Options{Source: models.SourceListingText}),
				func(s models.Signal) bool { return s.Type == models.SignalListingTextBrand }) {
				t.Errorf("%s listing %d names a registered brand: %q", l.Kind, i, l.Listing.Title)
			}
		}
	}
	if sameAsOtherSeed > 0 {
		t.Errorf("%d pictures are the same under another seed", sameAsOtherSeed)
	}
	for _, k := range []Kind{Counterfeit, Resale, Clean, Distractor} {
		if kinds[k] == 0 {
			t.Errorf("no %s listing in 40: %v", k, kinds)
		}
	}
}

func TestBuildRefusesMissingInputs(t *testing.T) {
	in := smallInputs(t)
	for name, mutate := range map[string]func(*Inputs){
		"no scenes":      func(in *Inputs) { in.Scenes = nil },
		"no fonts":       func(in *Inputs) { in.Fonts = []*opentype.Font{} },
		"no distractors": func(in *Inputs) { in.Distractors = nil },
		"no brand mark":  func(in *Inputs) { in.Marks = map[string]image.Image{"unknown": in.Scenes[0]} },
	} {
		t.Run(name, func(t *testing.T) {
			c := in
			mutate(&c)
			if _, err := Build(c, 1, 5); err == nil {
				t.Fatal("built without inputs")
			}
		})
	}
}
