package redisq

import (
	"context"
	"testing"
	"time"

	"counterlens/models"
)

func TestRetroTasksAreLeasedAndResumed(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	b, err := s.CreateBrand(ctx, models.Brand{Name: "Puma"})
	if err != nil {
		t.Fatal(err)
	}
	if task, err := s.ClaimRetro(ctx, time.Minute); err != nil || task != nil {
		t.Fatalf("claim with no logo: %+v, %v", task, err)
	}
	l, err := s.AddLogo(ctx, models.Logo{BrandID: b.ID}, []byte("png"))
	if err != nil {
		t.Fatal(err)
	}
	task, err := s.ClaimRetro(ctx, time.Minute)
	if err != nil || task == nil || task.LogoID != l.ID || task.BrandID != b.ID || task.Uploaded.IsZero() {
		t.Fatalf("claim after upload: %+v, %v", task, err)
	}
	if again, _ := s.ClaimRetro(ctx, time.Minute); again != nil {
		t.Fatalf("a leased task was claimed twice: %+v", again)
	}
	// Progress is kept; a lease that runs out makes the task due again,
	// from where it was.
	task.Checked, task.AfterSeen, task.AfterID = 7, 100, "x"
	if err := s.SaveRetro(ctx, *task, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	resumed, err := s.ClaimRetro(ctx, time.Minute)
	if err != nil || resumed == nil || resumed.Checked != 7 || resumed.AfterID != "x" {
		t.Fatalf("resumed: %+v, %v", resumed, err)
	}
	resumed.Finished = time.Now()
	if err := s.SaveRetro(ctx, *resumed, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	if done, _ := s.ClaimRetro(ctx, time.Minute); done != nil {
		t.Fatalf("a finished task was claimed: %+v", done)
	}
	if got, err := s.Retro(ctx, l.ID); err != nil || got.Finished.IsZero() {
		t.Fatalf("finished task: %+v, %v", got, err)
	}
}

func TestSeenListingsPagesInTheOrderSeen(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	base := time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i, at := range []time.Time{base, base, base.Add(time.Hour), base.Add(48 * time.Hour)} {
		sub, err := s.SubmitListing(ctx, models.Listing{Platform: "p", ExternalID: string(rune('a' + i))})
		if err != nil {
			t.Fatal(err)
		}
		l := sub.Listing
		l.Analysis = &models.Analysis{AnalyzedAt: at}
		if err := s.FinishListing(ctx, l, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	from, to := float64(base.Add(-time.Hour).Unix()), float64(base.Add(24*time.Hour).Unix())
	var got []string
	afterSeen, afterID := 0.0, ""
	for range 5 {
		page, err := s.SeenListings(ctx, from, to, afterSeen, afterID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page[0].ID)
		afterSeen, afterID = page[0].Seen, page[0].ID
	}
	// The three seen within the window, each once; the one seen two days
	// later is outside it.
	if len(got) != 3 || got[2] != ids[2] || !(got[0] == ids[0] && got[1] == ids[1] || got[0] == ids[1] && got[1] == ids[0]) {
		t.Fatalf("pages %v, want %v then %v", got, ids[:2], ids[2])
	}
}
