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

// pumaMarket is a running stack with Puma and its demo logo registered,
// and a market serving the demo Puma bag photo at every URL.
type pumaMarket struct {
	st    stack
	brand models.Brand
	url   string
}

func newPumaMarket(t *testing.T) pumaMarket {
	t.Helper()
	st := startStack(t, 1)
	photo, err := os.ReadFile(filepath.Join(demoData, "media", "puma-bag-replica.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	market := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write(photo)
	}))
	t.Cleanup(market.Close)

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
	return pumaMarket{st: st, brand: brand, url: market.URL}
}

// submit submits a listing of seller showing the bag photo (at a URL of
// its own) and waits for the worker to analyse it.
func (m pumaMarket) submit(t *testing.T, ext, seller string) models.Listing {
	t.Helper()
	body := fmt.Sprintf(`{"platform":"shop","external_id":%q,"seller":%q,"title":"bags in stock","image_urls":[%q]}`,
		ext, seller, m.url+"/"+ext+".jpg")
	var sub struct {
		ListingID string `json:"listing_id"`
	}
	if code := call(t, http.MethodPost, m.st.api+"/v1/listings", "application/json", strings.NewReader(body), &sub); code != 202 {
		t.Fatalf("submit: %d", code)
	}
	return waitAnalysed(t, m.st.api, sub.ListingID)
}

func (m pumaMarket) review(t *testing.T, id, decision string) {
	t.Helper()
	if code := call(t, http.MethodPost, m.st.api+"/v1/listings/"+id+"/review", "application/json",
		strings.NewReader(`{"decision":"`+decision+`","note":"checked"}`), nil); code != 200 {
		t.Fatalf("%s: %d", decision, code)
	}
}

// TestDismissedFindingDoesNotComeBack: the worker finds Puma's mark in a
// photo; an officer dismisses it; the same photo submitted again in
// another listing (at another URL) gives no Puma finding and no Puma
// suspicion, through the real worker, vision engine and Redis.
func TestDismissedFindingDoesNotComeBack(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV and tesseract")
	}
	m := newPumaMarket(t)
	first := m.submit(t, "1", "")
	if !hasBrand(first, m.brand.ID) {
		t.Fatalf("the worker did not find Puma in its own demo photo: %+v", first.Analysis.Signals)
	}
	m.review(t, first.ID, "dismiss")
	second := m.submit(t, "2", "")
	if second.ID == first.ID {
		t.Fatal("the second submission reused the first listing")
	}
	if hasBrand(second, m.brand.ID) {
		t.Errorf("the dismissed Puma finding came back on the same photo: %+v", second.Analysis.Signals)
	}
	var page struct {
		Items []models.Suspicion `json:"items"`
	}
	call(t, http.MethodGet, m.st.api+"/v1/suspicions?status=all&brand_id="+m.brand.ID, "", nil, &page)
	for _, s := range page.Items {
		if s.ListingID == second.ID {
			t.Errorf("listing 2 is a Puma suspicion: %+v", s)
		}
	}
}

func signalTypes(l models.Listing) []models.SignalType {
	var out []models.SignalType
	for _, s := range l.Analysis.Signals {
		out = append(out, s.Type)
	}
	return out
}

// TestConfirmedListingRaisesLaterScores: an officer confirms a listing of
// seller bagshop through the API; a listing of bagshop submitted
// earlier is scored again at once (seller_confirmed), and one submitted
// afterwards with the same photo, analysed by the worker, carries
// confirmed_photo and seller_confirmed and scores above the earlier one
// did before the review. Another seller's listing with the photo carries
// confirmed_photo only.
func TestConfirmedListingRaisesLaterScores(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV and tesseract")
	}
	m := newPumaMarket(t)
	confirmed := m.submit(t, "1", "bagshop")
	earlier := m.submit(t, "2", "bagshop")
	before := earlier.Analysis.Score
	m.review(t, confirmed.ID, "confirm")

	var rescored models.Listing
	call(t, http.MethodGet, m.st.api+"/v1/listings/"+earlier.ID, "", nil, &rescored)
	if !slices.Contains(signalTypes(rescored), models.SignalSellerConfirmed) || rescored.Analysis.Score <= before {
		t.Errorf("the seller's earlier listing after the review: %.4f (was %.4f), %v", rescored.Analysis.Score, before, signalTypes(rescored))
	}
	later := m.submit(t, "3", "BagShop")
	got := signalTypes(later)
	if !slices.Contains(got, models.SignalConfirmedPhoto) || !slices.Contains(got, models.SignalSellerConfirmed) || later.Analysis.Score <= before {
		t.Errorf("the seller's later listing: %.4f (the earlier one scored %.4f before the review), %v", later.Analysis.Score, before, got)
	}
	other := m.submit(t, "4", "someone-else")
	got = signalTypes(other)
	if !slices.Contains(got, models.SignalConfirmedPhoto) || slices.Contains(got, models.SignalSellerConfirmed) {
		t.Errorf("another seller's listing with the photo: %v", got)
	}
	t.Logf("seller's listing %.4f before the review, %.4f after; a later one %.4f; another seller's %.4f",
		before, rescored.Analysis.Score, later.Analysis.Score, other.Analysis.Score)
}
