package crawl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

// platform stands in for a connector: it has n listings and answers, like a
// real incremental API, only those newer than the state it is given.
type platform struct {
	n     atomic.Int64
	calls atomic.Int64
	fail  atomic.Bool
}

func (p *platform) crawl(_ context.Context, src models.Source, state string) ([]models.Listing, string, error) {
	p.calls.Add(1)
	if p.fail.Load() {
		return nil, "", errors.New("platform down")
	}
	since, _ := strconv.Atoi(state)
	n := int(p.n.Load())
	var out []models.Listing
	for i := since + 1; i <= n; i++ {
		out = append(out, models.Listing{ExternalID: fmt.Sprint(i), Title: "item " + fmt.Sprint(i)})
	}
	return out, strconv.Itoa(n), nil
}

func setup(t *testing.T) (*Crawler, *redisq.Store, *platform) {
	t.Helper()
	cfg := redisq.DefaultConfig()
	cfg.URL = redistest.URL(t)
	s, err := redisq.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	p := &platform{}
	c := &Crawler{Cfg: DefaultConfig(), Store: s, Crawl: p.crawl, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return c, s, p
}

func TestCrawlingTwiceAddsNothing(t *testing.T) {
	ctx := context.Background()
	c, s, p := setup(t)
	src, _ := s.CreateSource(ctx, models.Source{Type: "ebay", URL: "https://market.example"})
	p.n.Store(5)
	st, err := c.RunOnce(ctx, src.ID)
	if err != nil || st.Found != 5 || st.Queued != 5 {
		t.Fatalf("first crawl: %+v %v", st, err)
	}
	st, err = c.RunOnce(ctx, src.ID)
	if err != nil || st.Queued != 0 {
		t.Fatalf("second crawl queued %+v %v", st, err)
	}
	p.n.Store(7)
	if st, _ = c.RunOnce(ctx, src.ID); st.Queued != 2 {
		t.Fatalf("crawl after two new listings: %+v", st)
	}
	qs, _ := s.QueueStats(ctx)
	if qs.Waiting != 7 {
		t.Fatalf("queue holds %d jobs, want 7", qs.Waiting)
	}
	got, _ := s.Source(ctx, src.ID)
	if got.State != "7" || got.LastRunAt.IsZero() {
		t.Fatalf("source state %q last run %v", got.State, got.LastRunAt)
	}
}

func TestFailedCrawlKeepsTheState(t *testing.T) {
	ctx := context.Background()
	c, s, p := setup(t)
	src, _ := s.CreateSource(ctx, models.Source{Type: "ebay", URL: "https://market.example"})
	p.n.Store(3)
	p.fail.Store(true)
	if _, err := c.RunOnce(ctx, src.ID); err == nil {
		t.Fatal("failed crawl reported no error")
	}
	p.fail.Store(false)
	if st, err := c.RunOnce(ctx, src.ID); err != nil || st.Queued != 3 {
		t.Fatalf("crawl after failure: %+v %v", st, err)
	}
}

func TestOneCrawlPerSourceAtATime(t *testing.T) {
	ctx := context.Background()
	c, s, _ := setup(t)
	src, _ := s.CreateSource(ctx, models.Source{Type: "ebay", URL: "https://market.example"})
	ok, release, err := s.LockSource(ctx, src.ID, "someone-else", time.Minute)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	if _, err := c.RunOnce(ctx, src.ID); !errors.Is(err, ErrBusy) {
		t.Fatalf("crawl while locked: %v", err)
	}
	if _, err := c.Start(ctx, src.ID); !errors.Is(err, ErrBusy) {
		t.Fatalf("start while locked: %v", err)
	}
	release(ctx)
	if _, err := c.RunOnce(ctx, src.ID); err != nil {
		t.Fatalf("crawl after release: %v", err)
	}
}

func TestSchedulerRunsDueSources(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, s, p := setup(t)
	c.Cfg.Tick = 20 * time.Millisecond
	p.n.Store(2)
	due, _ := s.CreateSource(ctx, models.Source{Type: "ebay", URL: "https://a.example", Interval: "1h"})
	done := make(chan struct{})
	go func() { _ = c.Schedule(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := s.Source(ctx, due.ID)
		if !got.LastRunAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("due source was not crawled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Crawled once; not again within its interval, however often the scheduler ticks.
	time.Sleep(200 * time.Millisecond)
	cancel()
	<-done
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("source crawled %d times within its interval", n)
	}
}

func TestSchedulerBacksOffABrokenSource(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, s, p := setup(t)
	c.Cfg.Tick = 10 * time.Millisecond
	p.fail.Store(true)
	if _, err := s.CreateSource(ctx, models.Source{Type: "ebay", URL: "https://a.example", Interval: "1h"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = c.Schedule(ctx); close(done) }()
	time.Sleep(400 * time.Millisecond) // 40 ticks
	cancel()
	<-done
	// Backoff of 20, 40, 80, 160 ms… after the first failure: a handful of
	// tries, not one per tick.
	if n := p.calls.Load(); n < 1 || n > 8 { // a slow machine only ticks less
		t.Fatalf("broken source tried %d times in 40 ticks", n)
	}
}
