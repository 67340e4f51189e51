package main

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"counterlens/models"
)

// waitAnalysed polls a listing until the worker has analysed it.
func waitAnalysed(t *testing.T, api, id string) models.Listing {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var l models.Listing
		if code := call(t, http.MethodGet, api+"/v1/listings/"+id, "", nil, &l); code != 200 {
			t.Fatalf("get listing: %d", code)
		}
		if l.Status != models.StatusQueued {
			if l.Analysis == nil {
				t.Fatalf("listing %s ended %s: %s", id, l.Status, l.Error)
			}
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("listing %s was not analysed in time", id)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func hasBrand(l models.Listing, brandID string) bool {
	return slices.ContainsFunc(l.Analysis.Brands, func(b models.BrandHit) bool { return b.BrandID == brandID }) ||
		slices.ContainsFunc(l.Analysis.Signals, func(s models.Signal) bool { return s.BrandID == brandID })
}

// TestDismissedFindingDoesNotComeBack: the worker finds Puma's mark in a
// photo; an officer dismisses it; the same photo submitted again in
// another listing (at another URL) gives no Puma finding and no Puma
// suspicion, through the real worker, vision engine and Redis.
func TestDismissedFindingDoesNotComeBack(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV and tesseract")
	}
	st := startStack(t, 1)
	photo, err := os.ReadFile(filepath.Join(demoData, "media", "puma-bag-replica.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	market := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(photo)
	}))
	defer market.Close()

	var brand models.Brand
	if code := call(t, http.MethodPost, st.api+"/v1/brands", "application/json", strings.NewReader(`{"name":"Puma"}`), &brand); code != 201 {
		t.Fatalf("create brand: %d", code)
	}
	logo, err := os.ReadFile(filepath.Join(demoData, "logos", "puma.png"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("image", "puma.png")
	_, _ = fw.Write(logo)
	_ = w.Close()
	if code := call(t, http.MethodPost, st.api+"/v1/brands/"+brand.ID+"/logos", w.FormDataContentType(), &buf, nil); code != 201 {
		t.Fatalf("upload logo: %d", code)
	}
	submit := func(ext string) models.Listing {
		t.Helper()
		body := fmt.Sprintf(`{"platform":"shop","external_id":%q,"title":"bags in stock","image_urls":[%q]}`, ext, market.URL+"/"+ext+".jpg")
		var sub struct {
			ListingID string `json:"listing_id"`
		}
		if code := call(t, http.MethodPost, st.api+"/v1/listings", "application/json", strings.NewReader(body), &sub); code != 202 {
			t.Fatalf("submit: %d", code)
		}
		return waitAnalysed(t, st.api, sub.ListingID)
	}

	first := submit("1")
	if !hasBrand(first, brand.ID) {
		t.Fatalf("the worker did not find Puma in its own demo photo: %+v", first.Analysis.Signals)
	}
	if code := call(t, http.MethodPost, st.api+"/v1/listings/"+first.ID+"/review", "application/json",
		strings.NewReader(`{"decision":"dismiss","note":"shop's own photo"}`), nil); code != 200 {
		t.Fatalf("dismiss: %d", code)
	}
	second := submit("2")
	if second.ID == first.ID {
		t.Fatal("the second submission reused the first listing")
	}
	if hasBrand(second, brand.ID) {
		t.Errorf("the dismissed Puma finding came back on the same photo: %+v", second.Analysis.Signals)
	}
	var page struct {
		Items []models.Suspicion `json:"items"`
	}
	call(t, http.MethodGet, st.api+"/v1/suspicions?status=all&brand_id="+brand.ID, "", nil, &page)
	for _, s := range page.Items {
		if s.ListingID == second.ID {
			t.Errorf("listing 2 is a Puma suspicion: %+v", s)
		}
	}
}
