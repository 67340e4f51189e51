package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

// childEnv switches the test binary into a child process: "worker" runs
// `counterlens worker` with the environment it was given, so a test can kill
// a real worker process.
const childEnv = "COUNTERLENS_TEST_CHILD"

// childMain runs the child process and exits when the test binary was
// started as one; otherwise it returns at once.
func childMain() {
	if os.Getenv(childEnv) != "worker" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, []string{"worker"}, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// startWorkerProcess starts `counterlens worker` as a separate process (the
// test binary re-executed) with env added to the test's environment.
func startWorkerProcess(t *testing.T, logs *lockedBuffer, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=worker", "OMP_THREAD_LIMIT=1"}, env...)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd
}

// slowPictures serves one distinct PNG per path. While hang is set, a
// request is announced on arrived and never answered (the worker is stuck
// mid-job); afterwards each answer takes delay, longer than the visibility
// timeout, so a job outlives its lease unless the lease is renewed.
type slowPictures struct {
	mu      sync.Mutex
	hang    bool
	delay   time.Duration
	served  map[string]int
	arrived chan string
}

func (s *slowPictures) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	hang, delay := s.hang, s.delay
	s.mu.Unlock()
	if hang {
		select {
		case s.arrived <- r.URL.Path:
		default:
		}
		<-r.Context().Done() // the worker died
		return
	}
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	var n int
	if _, err := fmt.Sscanf(r.URL.Path, "/img/%d.png", &n); err != nil {
		http.NotFound(w, r)
		return
	}
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for y := range 64 {
		for x := range 96 {
			img.Set(x, y, color.RGBA{uint8(40 * n), uint8(x * 2), uint8(y * 3), 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	s.mu.Lock()
	s.served[r.URL.Path]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(buf.Bytes())
}

func (s *slowPictures) set(hang bool, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hang, s.delay = hang, delay
}

// TestWorkerKilledMidJobLosesNothingDoublesNothing kills a real worker
// process with SIGKILL while its jobs hang on a picture download, then starts
// another: every listing is analysed exactly once (results, ranking,
// counters, custody log, downloads), none is lost.
func TestWorkerKilledMidJobLosesNothingDoublesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs worker processes with OpenCV and tesseract")
	}
	ctx := context.Background()
	redisURL := redistest.URL(t)
	cfg := redisq.DefaultConfig()
	cfg.URL = redisURL
	store, err := redisq.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	pics := &slowPictures{hang: true, served: map[string]int{}, arrived: make(chan string, 8)}
	srv := httptest.NewServer(pics)
	defer srv.Close()

	const n = 5
	ids := make([]string, n)
	for i := range n {
		sub, err := store.SubmitListing(ctx, models.Listing{
			Platform: "shop", ExternalID: fmt.Sprint(i), Title: fmt.Sprintf("item %d", i),
			ImageURLs: []string{fmt.Sprintf("%s/img/%d.png", srv.URL, i)},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = sub.Listing.ID
	}

	env := []string{
		"COUNTERLENS_REDIS_URL=" + redisURL, "COUNTERLENS_DATA_DIR=" + t.TempDir(),
		"COUNTERLENS_ALLOW_PRIVATE_FETCH=true", "COUNTERLENS_RESPECT_ROBOTS=false",
		"COUNTERLENS_LOG_LEVEL=info", "COUNTERLENS_WORKERS=2", "COUNTERLENS_VISIBILITY_TIMEOUT=1s",
	}
	var logs lockedBuffer
	defer func() {
		if t.Failed() {
			t.Logf("worker logs:\n%s", logs.String())
		}
	}()

	first := startWorkerProcess(t, &logs, env...)
	select {
	case <-pics.arrived:
	case <-time.After(2 * time.Minute):
		t.Fatal("the first worker never started a job")
	}
	waitUntil(t, "both of the first worker's jobs claimed", func() bool {
		st, err := store.QueueStats(ctx)
		return err == nil && st.Pending == 2
	})
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	for _, id := range ids {
		if l, _ := store.Listing(ctx, id); l.Status != models.StatusQueued {
			t.Fatalf("listing %s is %q after the kill, before any job finished", id, l.Status)
		}
	}

	pics.set(false, 1500*time.Millisecond)
	second := startWorkerProcess(t, &logs, env...)
	waitUntil(t, "every listing analysed", func() bool {
		for _, id := range ids {
			if l, err := store.Listing(ctx, id); err != nil || l.Status != models.StatusAnalyzed {
				return false
			}
		}
		st, err := store.QueueStats(ctx)
		return err == nil && st.Pending == 0 && st.Waiting == 0
	})
	// Let a duplicate, if the queue held one, surface before stopping.
	time.Sleep(3 * time.Second)
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("the second worker did not stop cleanly: %v", err)
	}

	stats, err := store.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Analyses != n || stats.Failures != 0 || stats.Queue != (redisq.QueueStats{}) {
		t.Errorf("stats %+v: want %d analyses, no failure, an empty queue", stats, n)
	}
	items, _, err := store.Suspicions(ctx, redisq.SuspicionQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ranked := map[string]int{}
	for _, it := range items {
		ranked[it.ListingID]++
	}
	for i, id := range ids {
		if ranked[id] != 1 {
			t.Errorf("listing %d is ranked %d times", i, ranked[id])
		}
		l, _ := store.Listing(ctx, id)
		if len(l.Evidence) != 1 || len(l.Evidence[0].SHA256) != 64 {
			t.Errorf("listing %d has evidence %+v, want one capture", i, l.Evidence)
		}
		events, err := store.Custody(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		analysed := 0
		for _, e := range events {
			if e.Type == evidence.EventAnalysed {
				analysed++
			}
		}
		if analysed != 1 {
			t.Errorf("listing %d has %d analysed events in its custody log", i, analysed)
		}
	}
	pics.mu.Lock()
	defer pics.mu.Unlock()
	for i := range n {
		if got := pics.served[fmt.Sprintf("/img/%d.png", i)]; got != 1 {
			t.Errorf("picture %d was downloaded %d times, want once", i, got)
		}
	}
	if !strings.Contains(logs.String(), "worker started") {
		t.Error("the worker processes did not log their start")
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
