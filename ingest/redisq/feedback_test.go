package redisq

import (
	"context"
	"testing"
	"time"

	"counterlens/ingest/evidence"
	"counterlens/ingest/network"
	"counterlens/models"
)

// analysedListing stores an analysed listing of seller on platform "shop"
// whose picture 0 (sha, ph, 800x600) shows brand at box.
func analysedListing(t *testing.T, s *Store, ext, seller, brand, sha, ph string) models.Listing {
	t.Helper()
	ctx := context.Background()
	sub, err := s.SubmitListing(ctx, models.Listing{Platform: "shop", ExternalID: ext, Seller: seller, Title: "bags " + ext})
	if err != nil {
		t.Fatal(err)
	}
	l := sub.Listing
	zero := 0
	box := models.BBox{X: 10, Y: 20, W: 100, H: 50}
	l.Status = models.StatusAnalyzed
	l.Analysis = &models.Analysis{
		Score: 0.5, AnalyzedAt: time.Now().UTC(), Reasons: []string{}, Brands: []models.BrandHit{{BrandID: brand, Confidence: 0.9}},
		Images: []models.ImageReport{{Index: 0, SHA256: sha, PHash: ph, Width: 800, Height: 600}},
		Signals: []models.Signal{
			{Type: models.SignalListingTextBrand, BrandID: brand, Confidence: 1},
			{Type: models.SignalLogo, BrandID: brand, Confidence: 0.6, ImageIndex: &zero, BBox: &box},
			{Type: models.SignalPictureOnly, BrandID: brand, Confidence: 0.6, ImageIndex: &zero},
		},
	}
	if err := s.FinishListing(ctx, l, nil); err != nil {
		t.Fatal(err)
	}
	return l
}

func review(t *testing.T, s *Store, l models.Listing, d models.Decision, brand string) {
	t.Helper()
	at := time.Now().UTC()
	r := models.Review{Decision: d, BrandIDs: []string{brand}, ByKeyID: "k1", At: at}
	if _, err := s.ReviewListing(context.Background(), l.ID, r, evidence.Event{Type: evidence.EventReviewed, At: at}); err != nil {
		t.Fatal(err)
	}
}

// TestConfirmedPhotosFollowTheReviews: a confirmation files the photo
// where the brand was found, with its box and size, found again by its
// bytes or by a pHash within the radius (not beyond); a dismissal of the
// same listing takes it back, and a photo confirmed in two listings stays
// while one confirmation is left.
func TestConfirmedPhotosFollowTheReviews(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	const ph = "f0f0f0f00f0f0f0f"
	a := analysedListing(t, s, "1", "bagshop", "puma", "sha-a", ph)
	review(t, s, a, models.DecisionConfirm, "puma")

	lookups := []struct {
		name, sha, ph string
		radius, want  int // want: the distance reported, -1 for none
	}{
		{"the same bytes", "sha-a", "0000ffff0000ffff", 6, 0},
		{"other bytes, the same pHash", "sha-x", ph, 6, 1},
		{"other bytes, 6 bits apart", "sha-x", "f0f0f0f00f0f0fc0", 6, 6},
		{"other bytes, 6 bits apart in 6 bands", "sha-x", "f0f1f1f10e0e0e0f", 6, 6},
		{"other bytes, 7 bits apart", "sha-x", "f0f0f0f00f0f0ff1", 6, -1},
		{"an unrelated photo", "sha-x", "0123456789abcdef", 6, -1},
		{"a flat picture", "sha-x", "0000000000000000", 6, -1},
	}
	for _, c := range lookups {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.ConfirmedPhotos(ctx, c.sha, c.ph, c.radius)
			if err != nil {
				t.Fatal(err)
			}
			if c.want < 0 {
				if len(got) != 0 {
					t.Fatalf("found %+v, want nothing", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("found %+v, want one", got)
			}
			g := got[0]
			if g.Distance != c.want || g.ListingID != a.ID || g.BrandID != "puma" || g.ImageIndex != 0 ||
				g.Width != 800 || g.Height != 600 || g.BBox == nil || *g.BBox != (models.BBox{X: 10, Y: 20, W: 100, H: 50}) {
				t.Fatalf("found %+v (box %v), want distance %d, listing %s, puma's logo box", g, g.BBox, c.want, a.ID)
			}
		})
	}

	b := analysedListing(t, s, "2", "othershop", "puma", "sha-a", ph)
	review(t, s, b, models.DecisionConfirm, "puma")
	review(t, s, a, models.DecisionDismiss, "puma")
	got, err := s.ConfirmedPhotos(ctx, "sha-y", ph, 6)
	if err != nil || len(got) != 1 || got[0].ListingID != b.ID {
		t.Fatalf("after dismissing listing 1, the photo confirmed in listing 2: %+v, %v", got, err)
	}
	review(t, s, b, models.DecisionDismiss, "puma")
	for _, sha := range []string{"sha-a", "sha-y"} {
		if got, err := s.ConfirmedPhotos(ctx, sha, ph, 6); err != nil || len(got) != 0 {
			t.Fatalf("after both dismissals (%s): %+v, %v", sha, got, err)
		}
	}
	x, err := s.HamIndex(ctx, confirmedIndexName, confirmedIndexBands)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := x.Len(ctx); err != nil || n != 0 {
		t.Fatalf("the index still files %d photos (%v)", n, err)
	}
}

// TestSellerConfirmedCountsOtherListings: each confirmation of a seller's
// listing counts for the seller's others, not for itself nor another
// seller; a later dismissal of the same listing takes it back, a
// dismissal of another listing does not.
func TestSellerConfirmedCountsOtherListings(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	one := analysedListing(t, s, "1", "BagShop", "puma", "sha-1", "0123456789abcdef")
	two := analysedListing(t, s, "2", "bagshop ", "puma", "sha-2", "1123456789abcdef")
	three := analysedListing(t, s, "3", "bagshop", "puma", "sha-3", "2123456789abcdef")
	other := analysedListing(t, s, "4", "someone", "puma", "sha-4", "3123456789abcdef")
	seller := network.SellerID(one)
	count := func(except string) SellerConfirmed {
		t.Helper()
		sc, err := s.SellerConfirmed(ctx, seller, except)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	review(t, s, one, models.DecisionConfirm, "puma")
	if sc := count(three.ID); sc.Count != 1 || sc.Latest != one.ID || sc.At.IsZero() {
		t.Fatalf("after one confirmation, for listing 3: %+v", sc)
	}
	if sc := count(one.ID); sc.Count != 0 || sc.Latest != "" {
		t.Fatalf("listing 1's own confirmation counts for it: %+v", sc)
	}
	review(t, s, two, models.DecisionConfirm, "puma")
	review(t, s, other, models.DecisionConfirm, "puma")
	if sc := count(three.ID); sc.Count != 2 || (sc.Latest != two.ID && sc.Latest != one.ID) {
		t.Fatalf("after two confirmations, for listing 3: %+v", sc)
	}
	if sc := count(one.ID); sc.Count != 1 || sc.Latest != two.ID {
		t.Fatalf("for listing 1: %+v", sc)
	}
	review(t, s, three, models.DecisionDismiss, "puma")
	if sc := count(""); sc.Count != 2 {
		t.Fatalf("a dismissal of another listing suppressed the confirmations: %+v", sc)
	}
	review(t, s, one, models.DecisionDismiss, "puma")
	if sc := count(three.ID); sc.Count != 1 || sc.Latest != two.ID {
		t.Fatalf("after listing 1 was dismissed, for listing 3: %+v", sc)
	}
}
