package pipeline

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"counterlens/ingest/evidence"
	"counterlens/ingest/network"
	"counterlens/ingest/redisq"
	"counterlens/models"
)

const demoData = "../../testdata/demo"

func readDemo(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(demoData, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// feedbackRig is the real analyser (vision engine, Redis) with the
// reviewer feedback and the negative bank plugged in, a seller network
// linker, and Puma with its demo logo registered.
type feedbackRig struct {
	a       *Analyzer
	store   *redisq.Store
	reviews *Reviews
	linker  *network.Linker
	puma    models.Brand
}

func newFeedbackRig(t *testing.T) *feedbackRig {
	t.Helper()
	a, store := newAnalyzer(t)
	a.Negatives, a.Feedback = store, store
	ctx := context.Background()
	puma, err := store.CreateBrand(ctx, models.Brand{Name: "Puma"})
	if err != nil {
		t.Fatal(err)
	}
	logo := readDemo(t, "logos/puma.png")
	if _, err := store.AddLogo(ctx, models.Logo{BrandID: puma.ID, SHA256: photoOf(t, puma.ID, logo).SHA256}, logo); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &feedbackRig{
		a: a, store: store, puma: puma,
		reviews: &Reviews{Store: store, Analyzer: a, Max: 200, Log: log},
		linker:  &network.Linker{Store: store, Cfg: network.DefaultConfig(), Weights: a.Weights, Log: log},
	}
}

// analyse runs a listing of seller on platform "shop" with the pictures
// through the analyser; with keep, it is stored as the worker stores it
// (linked into its seller network, ranked).
func (r *feedbackRig) analyse(t *testing.T, ext, seller string, keep bool, pictures ...[]byte) models.Listing {
	t.Helper()
	ctx := context.Background()
	sub, err := r.store.SubmitListing(ctx, models.Listing{Platform: "shop", ExternalID: ext, Seller: seller,
		Title: "bags in stock", URL: "https://shop.example/" + ext})
	if err != nil {
		t.Fatal(err)
	}
	l := sub.Listing
	an, err := r.a.Analyze(ctx, l, pictures, true)
	if err != nil {
		t.Fatal(err)
	}
	l.Analysis, l.Status = &an, models.StatusAnalyzed
	if keep {
		if err := r.linker.Link(ctx, &l); err != nil {
			t.Fatal(err)
		}
		if err := r.store.FinishListing(ctx, l, nil); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

func (r *feedbackRig) review(t *testing.T, l models.Listing, d models.Decision) {
	t.Helper()
	at := time.Now().UTC()
	rev := models.Review{Decision: d, BrandIDs: []string{r.puma.ID}, ByKeyID: "officer", At: at}
	if _, err := r.reviews.ReviewListing(context.Background(), l.ID, rev, evidence.Event{Type: evidence.EventReviewed, At: at}); err != nil {
		t.Fatal(err)
	}
}

func (r *feedbackRig) stored(t *testing.T, id string) models.Listing {
	t.Helper()
	l, err := r.store.Listing(context.Background(), id)
	if err != nil || l.Analysis == nil {
		t.Fatalf("listing %s: %+v, %v", id, l, err)
	}
	return l
}

func (r *feedbackRig) ranked(t *testing.T, id string) float64 {
	t.Helper()
	items, _, err := r.store.Suspicions(context.Background(), redisq.SuspicionQuery{BrandID: r.puma.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.ListingID == id {
			return it.Score
		}
	}
	t.Fatalf("listing %s is not among Puma's suspicions: %+v", id, items)
	return 0
}

func logoBox(t *testing.T, an models.Analysis, brandID string, image int) models.BBox {
	t.Helper()
	for _, s := range an.Signals {
		if s.Type == models.SignalLogo && s.BrandID == brandID && s.ImageIndex != nil && *s.ImageIndex == image && s.BBox != nil {
			return *s.BBox
		}
	}
	t.Fatalf("no logo of %s with a box in picture %d: %+v", brandID, image+1, an.Signals)
	return models.BBox{}
}

// TestReviewerFeedbackSignals: an officer confirms listing A (seller
// bagshop, the Puma bag photo) as a counterfeit offer. Listing B of the
// same seller showing that photo, analysed through the real analyser,
// then carries confirmed_photo (with A's box, the same bytes: confidence
// 1) and seller_confirmed, and scores above B analysed before the review;
// B as stored is scored again without being analysed. A listing of another
// seller with a resized copy of the photo carries confirmed_photo only, at
// a lower confidence, with the box scaled. Dismissing A afterwards takes
// seller_confirmed away from B's re-analysis and from B as stored.
func TestReviewerFeedbackSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV")
	}
	r := newFeedbackRig(t)
	bag, unrelated := readDemo(t, "media/puma-bag-replica.jpg"), readTestdata(t, "unrelated.jpg")

	a := r.analyse(t, "a", "bagshop", true, bag)
	box := logoBox(t, *a.Analysis, r.puma.ID, 0)
	b0 := r.analyse(t, "b", "BagShop", true, unrelated, bag)
	if fb := feedbackOf(*b0.Analysis); len(fb) != 0 {
		t.Fatalf("feedback signals before any review: %+v", fb)
	}
	before := b0.Analysis.Score

	r.review(t, a, models.DecisionConfirm)
	b := r.analyse(t, "b2", "bagshop", false, unrelated, bag)
	photo := signalsOf(*b.Analysis, models.SignalConfirmedPhoto)
	if len(photo) != 1 {
		t.Fatalf("confirmed_photo signals %+v, want one", photo)
	}
	p := photo[0]
	if p.BrandID != r.puma.ID || p.ImageIndex == nil || *p.ImageIndex != 1 || p.Confidence != 1 || p.Value != a.ID ||
		p.BBox == nil || *p.BBox != box || p.Weight == 0 {
		t.Errorf("confirmed_photo %+v (box %v), want Puma in picture 2 at %v, confidence 1, from listing %s", p, p.BBox, box, a.ID)
	}
	if want := "picture 2 is the photo an officer confirmed as a counterfeit Puma offer in listing " + a.ID; !strings.HasPrefix(p.Reason, want) {
		t.Errorf("reason %q, want it to start with %q", p.Reason, want)
	}
	seller := signalsOf(*b.Analysis, models.SignalSellerConfirmed)
	if len(seller) != 1 || seller[0].Confidence != 0.5 || !strings.Contains(seller[0].Reason, "1 other listing") ||
		!strings.Contains(seller[0].Reason, a.ID) || seller[0].Weight == 0 {
		t.Errorf("seller_confirmed %+v, want one at 0.5 naming listing %s", seller, a.ID)
	}
	if b.Analysis.Score <= before {
		t.Errorf("score after the confirmation %.4f, before %.4f: want it higher", b.Analysis.Score, before)
	}
	t.Logf("listing B: %.4f before the review, %.4f after (%v)", before, b.Analysis.Score, b.Analysis.Reasons)

	// B as stored was scored again by the review, its ranking with it.
	kept := r.stored(t, b0.ID)
	if len(signalsOf(*kept.Analysis, models.SignalSellerConfirmed)) != 1 || len(signalsOf(*kept.Analysis, models.SignalConfirmedPhoto)) != 1 {
		t.Errorf("stored listing B after the confirmation: %+v", kept.Analysis.Signals)
	}
	if kept.Analysis.Score != b.Analysis.Score || r.ranked(t, b0.ID) != kept.Analysis.Score {
		t.Errorf("stored listing B scores %.4f, ranked %.4f; its re-analysis %.4f", kept.Analysis.Score, r.ranked(t, b0.ID), b.Analysis.Score)
	}
	if own := r.stored(t, a.ID); len(feedbackOf(*own.Analysis)) != 0 {
		t.Errorf("the confirmed listing got feedback from itself: %+v", feedbackOf(*own.Analysis))
	}

	// Another seller, a resized re-encoding of the photo.
	c := r.analyse(t, "c", "someone-else", false, resized(t, bag, 0.5, 80))
	photo = signalsOf(*c.Analysis, models.SignalConfirmedPhoto)
	if len(photo) != 1 || photo[0].Confidence >= 1 || photo[0].Confidence < 0.65 || photo[0].BBox == nil {
		t.Fatalf("another seller's copy: confirmed_photo %+v, want one below 1", photo)
	}
	half := c.Analysis.Images[0]
	if g := *photo[0].BBox; abs(g.X-box.X/2) > 1 || abs(g.Y-box.Y/2) > 1 || abs(g.W-box.W/2) > 1 || abs(g.H-box.H/2) > 1 {
		t.Errorf("box on the half-size copy (%dx%d) %v, want about half of %v", half.Width, half.Height, g, box)
	}
	if got := signalsOf(*c.Analysis, models.SignalSellerConfirmed); len(got) != 0 {
		t.Errorf("another seller carries seller_confirmed: %+v", got)
	}

	r.review(t, a, models.DecisionDismiss)
	b = r.analyse(t, "b3", "bagshop", false, unrelated, bag)
	if fb := feedbackOf(*b.Analysis); len(fb) != 0 {
		t.Errorf("after the dismissal, B's re-analysis carries %+v", fb)
	}
	kept = r.stored(t, b0.ID)
	if fb := feedbackOf(*kept.Analysis); len(fb) != 0 {
		t.Errorf("after the dismissal, stored listing B carries %+v", fb)
	}
}

// TestSellerConfirmedIsNotSuppressedByDismissals: a seller's dismissed
// listing does not take away what the confirmed one says about it; the
// confidence grows with the confirmed listings (0.5, 0.75, then 1).
func TestSellerConfirmedIsNotSuppressedByDismissals(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV")
	}
	r := newFeedbackRig(t)
	bag := readDemo(t, "media/puma-bag-replica.jpg")
	var confirmed []models.Listing
	for _, ext := range []string{"1", "2", "3"} {
		confirmed = append(confirmed, r.analyse(t, ext, "bagshop", true, resized(t, bag, 0.9, 90)))
	}
	honest := r.analyse(t, "4", "bagshop", true, bag)
	r.review(t, honest, models.DecisionDismiss)
	for i, want := range []float64{0.5, 0.75, 1} {
		r.review(t, confirmed[i], models.DecisionConfirm)
		l := r.analyse(t, "new"+confirmed[i].ExternalID, "bagshop", false, readTestdata(t, "unrelated.jpg"))
		got := signalsOf(*l.Analysis, models.SignalSellerConfirmed)
		if len(got) != 1 || got[0].Confidence != want {
			t.Fatalf("after %d confirmations: %+v, want confidence %v", i+1, got, want)
		}
		if kept := signalsOf(*r.stored(t, honest.ID).Analysis, models.SignalSellerConfirmed); len(kept) != 1 || kept[0].Confidence != want {
			t.Fatalf("stored dismissed listing after %d confirmations: %+v, want confidence %v", i+1, kept, want)
		}
	}
}

func feedbackOf(an models.Analysis) []models.Signal {
	var out []models.Signal
	for _, s := range an.Signals {
		if isFeedbackSignal(s) {
			out = append(out, s)
		}
	}
	return out
}

func abs(x int) int { return max(x, -x) }
