package pipeline

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// ReviewStore records review decisions and keeps the listings whose
// scores they change (*redisq.Store).
type ReviewStore interface {
	ReviewListing(ctx context.Context, listingID string, r models.Review, e evidence.Event) (models.Listing, error)
	Examples(ctx context.Context, brandID string) ([]models.Example, error)
	// SellerListings returns up to limit ids of the other stored listings
	// of the seller of listing id.
	SellerListings(ctx context.Context, id string, limit int) ([]string, error)
	Listing(ctx context.Context, id string) (models.Listing, error)
	UpdateAnalysis(ctx context.Context, id string, fn func(*models.Listing) bool) error
}

// Reviews records officers' review decisions (it serves api.ReviewStore)
// and then scores the seller's other stored listings again from their
// stored analysis, without fetching anything: a confirmation gives them
// seller_confirmed (and confirmed_photo where they show the same photo), a
// later dismissal takes it back.
type Reviews struct {
	Store    ReviewStore
	Analyzer *Analyzer
	// Max bounds how many of the seller's listings one review rescores.
	Max int
	Log *slog.Logger
}

// rescoreTimeout bounds the rescoring that follows one review.
const rescoreTimeout = 30 * time.Second

// ReviewListing records the decision, then rescores the seller's other
// listings. The decision stands when the rescoring fails: those listings
// then keep their older feedback signals until they are analysed again.
func (r *Reviews) ReviewListing(ctx context.Context, listingID string, rev models.Review, e evidence.Event) (models.Listing, error) {
	l, err := r.Store.ReviewListing(ctx, listingID, rev, e)
	if err != nil {
		return l, err
	}
	// The decision is recorded: its consequences run to the end even if
	// the client goes away, within a bound.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rescoreTimeout)
	defer cancel()
	ids, err := r.Store.SellerListings(rctx, listingID, r.Max)
	if err != nil {
		r.Log.Warn("cannot find the seller's other listings to rescore after a review", "listing_id", listingID, "err", err)
		return l, nil
	}
	for _, id := range ids {
		if err := r.Rescore(rctx, id); err != nil {
			r.Log.Warn("cannot rescore a listing after a review of its seller", "listing_id", id, "reviewed", listingID, "err", err)
		}
	}
	return l, nil
}

// Examples returns a brand's confirmed sightings.
func (r *Reviews) Examples(ctx context.Context, brandID string) ([]models.Example, error) {
	return r.Store.Examples(ctx, brandID)
}

// Rescore derives the feedback signals of a stored listing again from its
// stored pictures' control numbers and hashes and what officers decided
// since, and ranks it anew when they changed. A listing analysed again
// meanwhile is left as it is: its new analysis read the feedback itself.
func (r *Reviews) Rescore(ctx context.Context, id string) error {
	l, err := r.Store.Listing(ctx, id)
	if err != nil || l.Analysis == nil {
		return err
	}
	a := r.Analyzer
	refs, err := a.Vision.Refs(ctx)
	if err != nil {
		return err
	}
	fb, err := a.feedbackSignals(ctx, refs, l, l.Analysis.Images)
	if err != nil {
		return err
	}
	if fb, err = a.dropDismissed(ctx, l.Analysis.Images, fb); err != nil {
		return err
	}
	analysed := l.Analysis.AnalyzedAt
	return r.Store.UpdateAnalysis(ctx, id, func(l *models.Listing) bool {
		an := l.Analysis
		if !an.AnalyzedAt.Equal(analysed) {
			return false
		}
		before, reasons := an.Score, strings.Join(an.Reasons, "\n")
		an.Signals = append(slices.DeleteFunc(an.Signals, isFeedbackSignal), fb...)
		a.rank(refs, an)
		return an.Score != before || strings.Join(an.Reasons, "\n") != reasons
	})
}
