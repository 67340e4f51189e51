package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

// reviewFixture is a server with two brands and one analysed listing where
// Nike's logo was found in photo 0.
type reviewFixture struct {
	e          *env
	v          *validator
	nike, puma models.Brand
	listing    models.Listing
}

func newReviewFixture(t *testing.T) reviewFixture {
	t.Helper()
	store := newStore(t, redistest.URL(t))
	blobs, err := evidence.NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, e := testServer(t, store, &fakeAnalyzer{}, blobs)
	f := reviewFixture{e: e, v: newValidator(t, loadDoc(t), e), nike: e.createBrand("Nike"), puma: e.createBrand("Puma")}
	f.listing = f.submitAnalysed(t, "1", pngBytes(t, 80, 60))
	return f
}

func (f reviewFixture) submitAnalysed(t *testing.T, ext string, img []byte) models.Listing {
	t.Helper()
	r := f.e.json(http.MethodPost, "/v1/listings", adminKey, map[string]any{"platform": "ebay", "external_id": ext,
		"title": "sneakers " + ext, "image_urls": []string{"https://market.example/" + ext + ".png"}})
	var sub submitResponse
	r.json(t, &sub)
	blobs, err := evidence.NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return finishWithImage(t, f.e.store, blobs, sub.ListingID, f.nike, img)
}

func (f reviewFixture) queue(t *testing.T, key, query string) map[string]models.Suspicion {
	t.Helper()
	var page suspicionsResponse
	f.v.call(http.MethodGet, "/v1/suspicions"+query, key, "", nil, 200).json(t, &page)
	out := map[string]models.Suspicion{}
	for _, s := range page.Items {
		out[s.ListingID] = s
	}
	return out
}

// TestReviewDismissAndConfirm: a dismissal is kept on the listing, logged in
// its custody chain, takes it out of the default queue and banks the photo
// for the brand; a later confirmation brings it back as confirmed, makes
// the photo a positive example and takes it out of the negative bank.
func TestReviewDismissAndConfirm(t *testing.T) {
	ctx := context.Background()
	f := newReviewFixture(t)
	mon := f.e.createKey(models.RoleMonitor)
	id := f.listing.ID
	if s, ok := f.queue(t, mon, "")[id]; !ok || s.Status != models.ReviewOpen {
		t.Fatalf("before review the queue holds %+v (present %v), want it open", s, ok)
	}

	var rr reviewResponse
	f.v.json(http.MethodPost, "/v1/listings/"+id+"/review", mon, `{"decision":"dismiss","note":"genuine shop photo"}`, 200).json(t, &rr)
	if rr.Status != models.ReviewDismissed || rr.Review.Note != "genuine shop photo" || rr.Review.ByKeyID == "" ||
		len(rr.Review.BrandIDs) != 1 || rr.Review.BrandIDs[0] != f.nike.ID {
		t.Fatalf("dismiss answered %+v", rr)
	}
	if s := f.queue(t, mon, "")[id]; s.Status != models.ReviewDismissed {
		t.Errorf("without a status filter the list holds %+v, want every analysed listing, the dismissed one too (API.md)", s)
	}
	if s := f.queue(t, mon, "?status=dismissed")[id]; s.Status != models.ReviewDismissed {
		t.Errorf("status=dismissed lists %+v", s)
	}
	if _, ok := f.queue(t, mon, "?status=open,confirmed")[id]; ok {
		t.Errorf("status=open,confirmed lists the dismissed listing")
	}
	var l models.Listing
	f.v.call(http.MethodGet, "/v1/listings/"+id, mon, "", nil, 200).json(t, &l)
	if l.Review == nil || l.Review.Decision != models.DecisionDismiss {
		t.Errorf("listing review %+v", l.Review)
	}
	bank, err := f.e.store.DismissedImages(ctx, f.nike.ID)
	if err != nil || bank[f.listing.Analysis.Images[0].SHA256] != "0123456789abcdef" {
		t.Errorf("Nike's negative bank %v (%v), want the photo with its phash", bank, err)
	}
	if other, _ := f.e.store.DismissedImages(ctx, f.puma.ID); len(other) != 0 {
		t.Errorf("Puma's negative bank got %v though Puma was not in the listing", other)
	}
	events, err := f.e.store.Custody(ctx, id)
	if err != nil || len(events) != 1 || events[0].Type != evidence.EventReviewed ||
		events[0].Details["decision"] != "dismiss" || events[0].Details["note"] != "genuine shop photo" {
		t.Fatalf("custody %+v (%v), want one reviewed event", events, err)
	}

	f.v.json(http.MethodPost, "/v1/listings/"+id+"/review", adminKey, `{"decision":"confirm","note":"fake after all","brand_id":"`+f.nike.ID+`"}`, 200)
	if s := f.queue(t, mon, "")[id]; s.Status != models.ReviewConfirmed {
		t.Errorf("after confirm the default queue shows %+v", s)
	}
	var ex struct{ Items []models.Example }
	f.v.call(http.MethodGet, "/v1/brands/"+f.nike.ID+"/examples", mon, "", nil, 200).json(t, &ex)
	want := *f.listing.Analysis.Signals[0].BBox
	if len(ex.Items) != 1 || ex.Items[0].ListingID != id || ex.Items[0].ImageIndex != 0 || len(ex.Items[0].BBoxes) != 1 ||
		ex.Items[0].BBoxes[0] != want || ex.Items[0].SHA256 != f.listing.Analysis.Images[0].SHA256 {
		t.Errorf("examples %+v, want the photo with box %+v", ex.Items, want)
	}
	if bank, _ := f.e.store.DismissedImages(ctx, f.nike.ID); len(bank) != 0 {
		t.Errorf("a confirmed photo stays in the negative bank: %v", bank)
	}
	events, _ = f.e.store.Custody(ctx, id)
	if len(events) != 2 || evidence.VerifyChain(events) != nil || events[1].Details["decision"] != "confirm" {
		t.Errorf("custody after two reviews: %+v", events)
	}
	// Dismissing again drops the example.
	f.v.json(http.MethodPost, "/v1/listings/"+id+"/review", mon, `{"decision":"dismiss"}`, 200)
	f.v.call(http.MethodGet, "/v1/brands/"+f.nike.ID+"/examples", mon, "", nil, 200).json(t, &ex)
	if len(ex.Items) != 0 {
		t.Errorf("examples after a dismissal: %+v", ex.Items)
	}
}

// TestReviewScopeAndLimits: who may review what, and every bad input gets
// its JSON error.
func TestReviewScopeAndLimits(t *testing.T) {
	f := newReviewFixture(t)
	id := f.listing.ID
	nikeHolder := f.e.createKey(models.RoleRightsHolder, f.nike.ID)
	pumaHolder := f.e.createKey(models.RoleRightsHolder, f.puma.ID)
	both := f.e.createKey(models.RoleRightsHolder, f.nike.ID, f.puma.ID)
	path := "/v1/listings/" + id + "/review"

	f.v.json(http.MethodPost, path, "", `{"decision":"dismiss"}`, 401)
	f.v.json(http.MethodPost, path, pumaHolder, `{"decision":"dismiss"}`, 404)
	f.v.json(http.MethodPost, path, both, `{"decision":"dismiss","brand_id":"`+f.puma.ID+`"}`, 400)
	f.v.json(http.MethodPost, path, nikeHolder, `{"decision":"maybe"}`, 400)
	f.v.json(http.MethodPost, path, nikeHolder, `{"decision":"dismiss","note":"`+strings.Repeat("n", maxNote+1)+`"}`, 400)
	f.v.json(http.MethodPost, path, nikeHolder, `{"decision":`, 400)
	f.v.json(http.MethodPost, path, nikeHolder, `{"decision":"dismiss","note":"`+strings.Repeat("n", 2<<20)+`"}`, 413)
	f.v.json(http.MethodPost, "/v1/listings/nope/review", adminKey, `{"decision":"dismiss"}`, 404)
	var sub submitResponse
	f.e.json(http.MethodPost, "/v1/listings", adminKey, map[string]any{"title": "waiting"}).json(t, &sub)
	f.v.json(http.MethodPost, "/v1/listings/"+sub.ListingID+"/review", adminKey, `{"decision":"dismiss"}`, 409)
	if s := f.queue(t, adminKey, "?status=all")[id]; s.Status != models.ReviewOpen {
		t.Fatalf("refused reviews changed the listing: %+v", s)
	}

	f.v.json(http.MethodPost, path, nikeHolder, `{"decision":"confirm","note":"ours"}`, 200)
	f.v.call(http.MethodGet, "/v1/brands/"+f.nike.ID+"/examples", nikeHolder, "", nil, 200)
	f.v.call(http.MethodGet, "/v1/brands/"+f.nike.ID+"/examples", pumaHolder, "", nil, 404)
	f.v.call(http.MethodGet, "/v1/brands/nope/examples", adminKey, "", nil, 404)
	f.v.call(http.MethodGet, "/v1/suspicions?status=closed", adminKey, "", nil, 400)
	if s := f.queue(t, pumaHolder, "?status=all"); len(s) != 0 {
		t.Errorf("a Puma rights holder sees %v", s)
	}
	for _, tc := range []struct {
		key  string
		want int
	}{{both, 200}, {adminKey, 200}} {
		var rr reviewResponse
		f.v.json(http.MethodPost, path, tc.key, fmt.Sprintf(`{"decision":"dismiss","brand_id":%q}`, f.nike.ID), tc.want).json(t, &rr)
		if rr.Review.ByKeyID == "" || rr.Status != models.ReviewDismissed {
			t.Errorf("review %+v", rr)
		}
	}
}
