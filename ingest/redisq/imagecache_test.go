package redisq

import (
	"context"
	"testing"

	"counterlens/models"
)

func TestImageResultsAreKeyedAndExpire(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	rep := models.ImageReport{SHA256: "ab", PHash: "0123456789abcdef", Text: "REPLICA"}
	if err := s.SaveImageResult(ctx, "ab", 3, "cfg", rep); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		sha      string
		ver      int64
		settings string
		ok       bool
	}{
		{"same", "ab", 3, "cfg", true},
		{"other bytes", "cd", 3, "cfg", false},
		{"other reference set", "ab", 4, "cfg", false},
		{"other settings", "ab", 3, "cfg2", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok, err := s.ImageResult(ctx, c.sha, c.ver, c.settings)
			if err != nil || ok != c.ok || (ok && got.Text != rep.Text) {
				t.Fatalf("got %+v %v %v", got, ok, err)
			}
		})
	}
	ttl, err := s.rdb.TTL(ctx, keyImageResult("ab", 3, "cfg")).Result()
	if err != nil || ttl <= 0 || ttl > s.cfg.ImageResultTTL {
		t.Fatalf("ttl = %v (%v), want in (0, %v]", ttl, err, s.cfg.ImageResultTTL)
	}
	st, _ := s.Stats(ctx)
	if st.ImageReuses != 1 {
		t.Fatalf("reuses = %d, want 1", st.ImageReuses)
	}
	s.cfg.ImageResultTTL = 0
	if err := s.SaveImageResult(ctx, "ef", 3, "cfg", rep); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.ImageResult(ctx, "ef", 3, "cfg"); ok {
		t.Fatal("stored with a zero TTL")
	}
}
