package worker

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"counterlens/ingest/pipeline"
	"counterlens/ingest/score"
	"counterlens/models"
	"counterlens/vision"
)

// countingVision counts the pictures the real engine analyses.
type countingVision struct {
	pipeline.Vision
	n atomic.Int64
}

func (c *countingVision) AnalyzeImage(ctx context.Context, data []byte, opt vision.ImageOptions) (models.ImageReport, error) {
	c.n.Add(1)
	return c.Vision.AnalyzeImage(ctx, data, opt)
}

// TestPictureSeenBeforeIsNotAnalysedAgain runs the real vision engine under
// the reuse layer: the same bytes in another listing are not analysed again
// and give the same report; a new reference set version or other settings
// analyse them again.
func TestPictureSeenBeforeIsNotAnalysedAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("loads OpenCV and tesseract")
	}
	ctx := context.Background()
	s := newStore(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := vision.DefaultConfig()
	cfg.Workers, cfg.OCR.Workers = 1, 1
	engine, err := vision.New(cfg, s, log)
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	counting := &countingVision{Vision: engine}
	analyzer := func(settings string) *pipeline.Analyzer {
		return &pipeline.Analyzer{Weights: score.DefaultWeights(),
			Vision: pipeline.ReusingVision{Vision: counting, Results: s, Settings: settings, Log: log}}
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("../../testdata/demo/media", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	bag, shoe := read("puma-bag-replica.jpg"), read("nike-dark-side.jpg")
	analyse := func(a *pipeline.Analyzer, title string, images ...[]byte) models.Analysis {
		t.Helper()
		an, err := a.Analyze(ctx, models.Listing{Title: title}, images, true)
		if err != nil {
			t.Fatal(err)
		}
		return an
	}
	want := func(step string, n int64) {
		t.Helper()
		if got := counting.n.Load(); got != n {
			t.Fatalf("%s: the engine analysed %d pictures in all, want %d", step, got, n)
		}
	}

	first := analyse(analyzer("a"), "bags", bag, shoe)
	want("first listing", 2)
	again := analyse(analyzer("a"), "bags again", shoe, bag, bag)
	want("same pictures in another listing", 2)
	if again.Images[1].SHA256 != first.Images[0].SHA256 || again.Images[1].Text != first.Images[0].Text ||
		again.Images[1].PHash != first.Images[0].PHash || again.Images[1].Index != 1 {
		t.Fatalf("reused report differs:\n%+v\n%+v", again.Images[1], first.Images[0])
	}
	if len(again.Signals) != len(first.Signals)+countImageSignals(first, 0) {
		t.Errorf("reused signals: %d, first listing %d", len(again.Signals), len(first.Signals))
	}
	st, err := s.Stats(ctx)
	if err != nil || st.ImageReuses != 3 {
		t.Fatalf("image reuses counted %d (%v), want 3", st.ImageReuses, err)
	}

	if _, err := s.CreateBrand(ctx, models.Brand{Name: "Puma"}); err != nil {
		t.Fatal(err)
	}
	analyse(analyzer("a"), "bags", bag)
	want("after the reference set changed", 3)
	analyse(analyzer("b"), "bags", bag)
	want("with other settings", 4)
	analyse(analyzer("b"), "bags", bag)
	want("same settings again", 4)
}

// countImageSignals counts the signals found in picture i of an analysis.
func countImageSignals(an models.Analysis, i int) int {
	n := 0
	for _, s := range an.Signals {
		if s.ImageIndex != nil && *s.ImageIndex == i {
			n++
		}
	}
	return n
}
