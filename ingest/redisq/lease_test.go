package redisq

import (
	"context"
	"errors"
	"testing"
	"time"

	"counterlens/models"
)

// A worker that renews its lease keeps its job past the visibility timeout;
// one that stalled loses it, cannot take it back, and cannot write its
// result after the new owner finished.
func TestLeaseRenewalAndLateFinisher(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	sub, err := s.SubmitListing(ctx, models.Listing{Platform: "p", ExternalID: "1", Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	d1, err := s.Claim(ctx, "w1", 100*time.Millisecond)
	if err != nil || d1 == nil {
		t.Fatalf("claim: %v %v", d1, err)
	}
	for range 4 { // 1.2s in all, past the 1s visibility, renewed every 300ms
		time.Sleep(300 * time.Millisecond)
		if err := s.Extend(ctx, "w1", d1); err != nil {
			t.Fatalf("renew: %v", err)
		}
	}
	if d, err := s.Claim(ctx, "w2", 50*time.Millisecond); err != nil || d != nil {
		t.Fatalf("a renewed job was taken over: %+v %v", d, err)
	}
	// w1 stalls past the timeout; w2 takes the job.
	time.Sleep(1100 * time.Millisecond)
	d2, err := s.Claim(ctx, "w2", 50*time.Millisecond)
	if err != nil || d2 == nil || d2.MsgID != d1.MsgID {
		t.Fatalf("stalled job not taken over: %+v %v", d2, err)
	}
	if err := s.Extend(ctx, "w1", d1); !errors.Is(err, ErrJobGone) {
		t.Fatalf("the stalled worker renewed a job it lost: %v", err)
	}
	l, _ := s.Listing(ctx, sub.Listing.ID)
	l.Status, l.Analysis = models.StatusAnalyzed, &models.Analysis{Score: 0.25}
	if err := s.FinishListing(ctx, l, d2); err != nil {
		t.Fatal(err)
	}
	late := l
	late.Analysis = &models.Analysis{Score: 0.75}
	if err := s.FinishListing(ctx, late, d1); !errors.Is(err, ErrJobGone) {
		t.Fatalf("late finisher: err = %v, want ErrJobGone", err)
	}
	got, _ := s.Listing(ctx, sub.Listing.ID)
	st, _ := s.Stats(ctx)
	if got.Analysis == nil || got.Analysis.Score != 0.25 || st.Analyses != 1 {
		t.Fatalf("after a late finish: analysis %+v, %d analyses counted", got.Analysis, st.Analyses)
	}
}
