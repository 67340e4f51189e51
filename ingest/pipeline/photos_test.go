package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/draw"

	"counterlens/models"
	"counterlens/vision/decode"
	"counterlens/vision/phash"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// resized re-encodes data scaled by f, as JPEG at quality q (PNG when q is 0).
func resized(t *testing.T, data []byte, f float64, q int) []byte {
	t.Helper()
	img, _, err := decode.Image(data, decode.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*f), int(float64(b.Dy())*f)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	var buf bytes.Buffer
	if q == 0 {
		err = png.Encode(&buf, dst)
	} else {
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: q})
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// photoOf hashes an upload the way POST /v1/brands/{id}/photos does.
func photoOf(t *testing.T, brandID string, data []byte) models.Photo {
	t.Helper()
	img, _, err := decode.Image(data, decode.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	h, err := phash.Hash(img)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return models.Photo{BrandID: brandID, SHA256: hex.EncodeToString(sum[:]), PHash: phash.Hex(h)}
}

func TestOfficialPhotoReuse(t *testing.T) {
	a, store := newAnalyzer(t)
	ctx := context.Background()
	nike, err := store.CreateBrand(ctx, models.Brand{Name: "Nike", AuthorizedSellers: []string{"nike-official"}, OfficialDomains: []string{"nike.com"}})
	if err != nil {
		t.Fatal(err)
	}
	official, unrelated := readTestdata(t, "official.jpg"), readTestdata(t, "unrelated.jpg")
	photo, err := store.AddPhoto(ctx, photoOf(t, nike.ID, official))
	if err != nil {
		t.Fatal(err)
	}
	shop := models.Listing{Title: "running shoes", Seller: "cheap-shop", URL: "https://market.example/itm/1"}
	copies := map[string][]byte{
		"the same bytes":        official,
		"0.6x, JPEG q60":        resized(t, official, 0.6, 60),
		"1.4x, PNG":             resized(t, official, 1.4, 0),
		"0.35x, JPEG q35":       resized(t, official, 0.35, 35),
		"full size, JPEG q30":   resized(t, official, 1, 30),
		"twice resized, q50/75": resized(t, resized(t, official, 0.5, 75), 1.6, 50),
	}
	for name, data := range copies {
		t.Run(name, func(t *testing.T) {
			an, err := a.Analyze(ctx, shop, [][]byte{unrelated, data}, true)
			if err != nil {
				t.Fatal(err)
			}
			got := signalsOf(an, models.SignalImageReuse)
			if len(got) != 1 {
				t.Fatalf("image_reuse signals %+v, want one", got)
			}
			s := got[0]
			if s.Kind != "official_photo" || s.BrandID != nike.ID || s.ImageIndex == nil || *s.ImageIndex != 1 ||
				s.Value != photo.ID || s.Reason == "" || s.Confidence < 0.6 || s.Confidence > 1 {
				t.Fatalf("signal %+v", s)
			}
			if len(an.Brands) != 1 || an.Brands[0].BrandID != nike.ID {
				t.Fatalf("the brand of the photo is not among the brands found: %+v", an.Brands)
			}
		})
	}

	none := map[string]models.Listing{
		"an unrelated photo only": shop,
		"an authorised seller":    {Title: "running shoes", Seller: "Nike-Official", URL: "https://market.example/itm/2"},
		"an official domain":      {Title: "running shoes", Seller: "someone", URL: "https://www.nike.com/t/pegasus"},
	}
	for name, l := range none {
		t.Run(name, func(t *testing.T) {
			imgs := [][]byte{official}
			if name == "an unrelated photo only" {
				imgs = [][]byte{unrelated, resized(t, unrelated, 0.5, 60)}
			}
			an, err := a.Analyze(ctx, l, imgs, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := signalsOf(an, models.SignalImageReuse); len(got) != 0 {
				t.Fatalf("unexpected %+v", got)
			}
		})
	}

	// A deleted photo is no longer matched from the next analysis on.
	if err := store.DeletePhoto(ctx, photo.ID); err != nil {
		t.Fatal(err)
	}
	an, err := a.Analyze(ctx, shop, [][]byte{official}, true)
	if err != nil || len(signalsOf(an, models.SignalImageReuse)) != 0 {
		t.Fatalf("after deletion: %+v, %v", an.Signals, err)
	}
}
