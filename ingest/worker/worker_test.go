package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

func newStore(t *testing.T) *redisq.Store { return newStoreVisibility(t, time.Second) }

func newStoreVisibility(t *testing.T, visibility time.Duration) *redisq.Store {
	t.Helper()
	cfg := redisq.DefaultConfig()
	cfg.URL = redistest.URL(t)
	cfg.Visibility = visibility
	cfg.MaxAttempts = 3
	s, err := redisq.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// procFunc is a Processor made of a function: the platform and vision work
// a real processor does is not what these tests are about.
type procFunc func(ctx context.Context, l models.Listing) (models.Listing, error)

func (f procFunc) Process(ctx context.Context, l models.Listing) (models.Listing, error) {
	return f(ctx, l)
}

func analysed(l models.Listing) models.Listing {
	l.Status = models.StatusAnalyzed
	l.Analysis = &models.Analysis{Score: 0.5}
	return l
}

func testConfig(name string) Config {
	cfg := DefaultConfig()
	cfg.Name, cfg.Concurrency, cfg.Block = name, 2, 100*time.Millisecond
	cfg.JobTimeout, cfg.ShutdownTimeout = 5*time.Second, 200*time.Millisecond
	return cfg
}

func startWorker(t *testing.T, s *redisq.Store, cfg Config, p Processor) (stop func()) {
	t.Helper()
	w, err := New(cfg, s, p, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func submit(t *testing.T, s *redisq.Store, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		sub, err := s.SubmitListing(context.Background(), models.Listing{Platform: "p", ExternalID: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = sub.Listing.ID
	}
	return ids
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func status(s *redisq.Store, id string) string {
	l, err := s.Listing(context.Background(), id)
	if err != nil {
		return err.Error()
	}
	return l.Status
}

func TestTwoWorkersShareABacklogExactlyOnce(t *testing.T) {
	s := newStore(t)
	ids := submit(t, s, 20)
	var mu sync.Mutex
	calls := map[string]int{}
	by := map[string]bool{}
	proc := func(name string) procFunc {
		return func(ctx context.Context, l models.Listing) (models.Listing, error) {
			mu.Lock()
			calls[l.ID]++
			by[name] = true
			mu.Unlock()
			time.Sleep(10 * time.Millisecond)
			return analysed(l), nil
		}
	}
	stop1 := startWorker(t, s, testConfig("w1"), proc("w1"))
	stop2 := startWorker(t, s, testConfig("w2"), proc("w2"))
	waitFor(t, "every listing analysed", func() bool {
		for _, id := range ids {
			if status(s, id) != models.StatusAnalyzed {
				return false
			}
		}
		return true
	})
	stop1()
	stop2()
	for _, id := range ids {
		if calls[id] != 1 {
			t.Errorf("listing %s processed %d times", id, calls[id])
		}
	}
	if !by["w1"] || !by["w2"] {
		t.Errorf("work was not shared: %v", by)
	}
	st, _ := s.QueueStats(context.Background())
	if st.Pending != 0 || st.Waiting != 0 {
		t.Errorf("queue not empty: %+v", st)
	}
}

func TestFailingJobIsRetriedThenDeadLettered(t *testing.T) {
	s := newStore(t)
	ids := submit(t, s, 1)
	var mu sync.Mutex
	attempts := 0
	stop := startWorker(t, s, testConfig("w"), procFunc(func(ctx context.Context, l models.Listing) (models.Listing, error) {
		mu.Lock()
		attempts++
		mu.Unlock()
		return l, errors.New("platform down")
	}))
	defer stop()
	waitFor(t, "dead letter", func() bool { return status(s, ids[0]) == models.StatusFailed })
	mu.Lock()
	defer mu.Unlock()
	if attempts != 3 {
		t.Fatalf("attempts = %d, want MaxAttempts = 3", attempts)
	}
	st, _ := s.QueueStats(context.Background())
	if st.Dead != 1 || st.Pending != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPanicIsRecoveredAsAFailure(t *testing.T) {
	s := newStore(t)
	ids := submit(t, s, 2)
	stop := startWorker(t, s, testConfig("w"), procFunc(func(ctx context.Context, l models.Listing) (models.Listing, error) {
		if l.ID == ids[0] {
			var m map[string]int
			m["boom"]++ // a bug in a processor must not take the worker down
		}
		return analysed(l), nil
	}))
	defer stop()
	waitFor(t, "the healthy listing", func() bool { return status(s, ids[1]) == models.StatusAnalyzed })
	waitFor(t, "the panicking listing dead-lettered", func() bool { return status(s, ids[0]) == models.StatusFailed })
	l, _ := s.Listing(context.Background(), ids[0])
	if l.Error == "" {
		t.Fatal("no error recorded for the panicking job")
	}
}

func TestShutdownHandsUnfinishedJobsBack(t *testing.T) {
	// The visibility timeout is longer than waitFor waits: only the hand-back
	// at shutdown can bring the job to the second worker in time.
	s := newStoreVisibility(t, time.Minute)
	ids := submit(t, s, 1)
	started := make(chan struct{})
	var once sync.Once
	stop := startWorker(t, s, testConfig("slow"), procFunc(func(ctx context.Context, l models.Listing) (models.Listing, error) {
		once.Do(func() { close(started) })
		<-ctx.Done() // longer than the shutdown timeout
		return l, ctx.Err()
	}))
	<-started
	stop()
	// Another worker gets it at once, without waiting for the visibility timeout.
	stop2 := startWorker(t, s, testConfig("fast"), procFunc(func(ctx context.Context, l models.Listing) (models.Listing, error) {
		return analysed(l), nil
	}))
	defer stop2()
	waitFor(t, "the handed-back job", func() bool { return status(s, ids[0]) == models.StatusAnalyzed })
}
