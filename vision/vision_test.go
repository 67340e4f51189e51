package vision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

// countingStore is the real Redis store, noting which logo images it was
// asked for.
type countingStore struct {
	*redisq.Store
	mu     sync.Mutex
	images []string
}

func (c *countingStore) LogoImages(ctx context.Context, ids []string) (map[string][]byte, error) {
	c.mu.Lock()
	c.images = append(c.images, ids...)
	c.mu.Unlock()
	return c.Store.LogoImages(ctx, ids)
}

func (c *countingStore) asked() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.images)
}

// newStore is the real store on a fresh test database.
func newStore(t *testing.T) *redisq.Store {
	t.Helper()
	cfg := redisq.DefaultConfig()
	cfg.URL = redistest.URL(t)
	st, err := redisq.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func newEngine(t *testing.T, src RefSource) *Engine {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DisableOCR = true
	cfg.Workers = 1
	e, err := New(cfg, src, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func logoSignals(t *testing.T, e *Engine, img []byte) []models.Signal {
	t.Helper()
	rep, err := e.AnalyzeImage(context.Background(), img, ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []models.Signal
	for _, s := range rep.Signals {
		if s.Type == models.SignalLogo {
			out = append(out, s)
		}
	}
	return out
}

// TestReferenceSetLifecycle: the first engine prepares a new logo and stores
// its descriptor; a second engine finds the logo from the descriptor alone,
// never reading the image; a deleted logo stops being found on both.
func TestReferenceSetLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV and a null corpus")
	}
	ctx := context.Background()
	st := newStore(t)
	box, err := os.ReadFile("logo/testdata/box.png")
	if err != nil {
		t.Fatal(err)
	}
	scene, err := os.ReadFile("logo/testdata/box_in_scene.png")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreateBrand(ctx, models.Brand{Name: "Cereal"})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(box)
	l, err := st.AddLogo(ctx, models.Logo{BrandID: b.ID, SHA256: hex.EncodeToString(sum[:])}, box)
	if err != nil {
		t.Fatal(err)
	}

	first := &countingStore{Store: st}
	a := newEngine(t, first)
	if got := logoSignals(t, a, scene); len(got) != 1 || got[0].LogoID != l.ID {
		t.Fatalf("first engine: logo signals %+v, want %s", got, l.ID)
	}
	if !slices.Contains(first.asked(), l.ID) {
		t.Error("the first engine did not prepare the logo from its image")
	}
	descs, err := st.LogoDescriptors(ctx, []string{l.ID})
	if err != nil || len(descs[l.ID]) == 0 {
		t.Fatalf("descriptor not stored: %v", err)
	}

	second := &countingStore{Store: st}
	bEng := newEngine(t, second)
	if got := logoSignals(t, bEng, scene); len(got) != 1 || got[0].LogoID != l.ID {
		t.Fatalf("second engine: logo signals %+v, want %s", got, l.ID)
	}
	if asked := second.asked(); slices.Contains(asked, l.ID) {
		t.Errorf("the second engine read the image %v instead of the stored descriptor", asked)
	}

	if err := st.DeleteLogo(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if d, _ := st.LogoDescriptors(ctx, []string{l.ID}); len(d) != 0 {
		t.Error("descriptor of a deleted logo kept")
	}
	for name, e := range map[string]*Engine{"first": a, "second": bEng} {
		if got := logoSignals(t, e, scene); len(got) != 0 {
			t.Errorf("%s engine still finds the deleted logo: %+v", name, got)
		}
	}
}

// TestRefreshDoesNotBlockAnalysis: while a reload is in flight, analyses
// go on with the current set after RefreshWait instead of waiting for it.
func TestRefreshDoesNotBlockAnalysis(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV and a null corpus")
	}
	ctx := context.Background()
	st := newStore(t)
	slow := &blockingStore{Store: st, release: make(chan struct{})}
	e := newEngine(t, slow)
	e.cfg.RefreshWait = 0
	first, err := e.Refs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateBrand(ctx, models.Brand{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	slow.block.Store(true)
	got, err := e.Refs(ctx) // the reload is stuck in Logos
	if err != nil {
		t.Fatal(err)
	}
	if got != first {
		t.Fatal("Refs did not go on with the current set")
	}
	close(slow.release)
	e.cfg.RefreshWait = time.Minute
	got, err = e.Refs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Brands) != 1 {
		t.Fatalf("after the reload: %d brands, want 1", len(got.Brands))
	}
}

// blockingStore holds Logos until release is closed, once block is set.
type blockingStore struct {
	*redisq.Store
	block   atomic.Bool
	release chan struct{}
}

func (s *blockingStore) Logos(ctx context.Context) ([]models.Logo, error) {
	if s.block.Load() {
		select {
		case <-s.release:
		case <-ctx.Done(): // the engine closed
			return nil, ctx.Err()
		}
	}
	return s.Store.Logos(ctx)
}
