package main

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"counterlens/models"
)

// TestLogoUploadedLaterFindsListingsSeenBefore: a listing is crawled and
// analysed while its brand has no logo; then the logo is uploaded, and the
// worker matches it against the stored picture: the listing becomes a
// suspicion of that brand, with a logo signal, and nothing is fetched again.
func TestLogoUploadedLaterFindsListingsSeenBefore(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV and tesseract")
	}
	st := startStack(t, 1)
	photo, err := os.ReadFile(filepath.Join(demoData, "media", "puma-bag-replica.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(photo)
	}))
	defer shop.Close()

	var brand models.Brand
	if code := call(t, http.MethodPost, st.api+"/v1/brands", "application/json", strings.NewReader(`{"name":"Puma"}`), &brand); code != 201 {
		t.Fatalf("create brand: %d", code)
	}
	var sub struct {
		ListingID string `json:"listing_id"`
	}
	body := fmt.Sprintf(`{"platform":"shop","external_id":"1","title":"bags in stock","seller":"bagman","image_urls":[%q]}`, shop.URL+"/bag.jpg")
	if code := call(t, http.MethodPost, st.api+"/v1/listings", "application/json", strings.NewReader(body), &sub); code != 202 {
		t.Fatalf("submit: %d", code)
	}
	listing := func() models.Listing {
		var l models.Listing
		call(t, http.MethodGet, st.api+"/v1/listings/"+sub.ListingID, "", nil, &l)
		return l
	}
	l := waitFor(t, 2*time.Minute, "the listing to be analysed", listing, func(l models.Listing) bool { return l.Analysis != nil })
	for _, s := range l.Analysis.Signals {
		if s.Type == models.SignalLogo {
			t.Fatalf("a logo was found before any was registered: %+v", s)
		}
	}
	if l.Network == nil || l.Network.Size != 1 {
		t.Errorf("analysed listing: network %+v, want one of its own", l.Network)
	}
	seenFetches := fetches.Load()

	uploadLogo(t, st.api, brand.ID, "puma.png")
	hasLogo := func(l models.Listing) bool {
		for _, s := range l.Analysis.Signals {
			if s.Type == models.SignalLogo && s.BrandID == brand.ID && s.BBox != nil && s.BBox.W > 0 && s.ImageIndex != nil {
				return true
			}
		}
		return false
	}
	l = waitFor(t, 2*time.Minute, "the new logo to be found in the stored picture", listing, hasLogo)
	if n := fetches.Load(); n != seenFetches {
		t.Errorf("the picture was fetched again (%d fetches, %d before)", n, seenFetches)
	}
	var page struct {
		Items []models.Suspicion `json:"items"`
	}
	call(t, http.MethodGet, st.api+"/v1/suspicions?brand_id="+brand.ID, "", nil, &page)
	if len(page.Items) != 1 || page.Items[0].ListingID != l.ID || page.Items[0].Score <= 0 || len(page.Items[0].Reasons) == 0 {
		t.Fatalf("suspicions of the brand: %+v", page.Items)
	}
	t.Logf("score %.3f, reasons %q", page.Items[0].Score, page.Items[0].Reasons)
}

// uploadLogo uploads a demo logo file as a reference logo of a brand.
func uploadLogo(t *testing.T, api, brandID, file string) models.Logo {
	t.Helper()
	logo, err := os.ReadFile(filepath.Join(demoData, "logos", file))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("image", file)
	_, _ = fw.Write(logo)
	_ = w.Close()
	var l models.Logo
	if code := call(t, http.MethodPost, fmt.Sprintf("%s/v1/brands/%s/logos", api, brandID), w.FormDataContentType(), &buf, &l); code != 201 {
		t.Fatalf("upload logo: %d", code)
	}
	return l
}

func waitFor[T any](t *testing.T, limit time.Duration, what string, get func() T, ok func(T) bool) T {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		v := get()
		if ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s: %+v", limit, what, v)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
