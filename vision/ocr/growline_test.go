//go:build cgo

package ocr

import (
	"context"
	"slices"
	"testing"

	"counterlens/models"
	"counterlens/vision/text"
)

// TestRecognizeLineTallSeed: www_replica_baboon_34px.png is a grey crop of
// BenchmarkOCR's seed 2, sample #22 as the benchmark dumps it
// (COUNTERLENS_BENCH_DUMP): "www.replica-shop.top" at 34 px, white on a
// dark band, on baboon.jpg. The search's seed for the line takes in the
// band's top edge and is 60 px high; at that height the letters without
// ascenders (18 px) fall under a letter's size, so the line grew from its
// tall letters alone and read "plica-shop.top". The letters are taken
// again at the height of those found, and "www", which blur runs into one
// component five times as wide as high, joins the line.
func TestRecognizeLineTallSeed(t *testing.T) {
	ws, sigs := imageSignals(t, "testdata/www_replica_baboon_34px.png")
	type sig struct{ kind, value string }
	var got []sig
	for _, s := range sigs {
		if s.Type == models.SignalContact || s.Type == models.SignalRiskTerm {
			got = append(got, sig{s.Kind, s.Value})
		}
	}
	for _, want := range []sig{{models.ContactURL, "replica-shop.top"}, {"", "replica"}} {
		if !slices.Contains(got, want) {
			t.Errorf("read %q: signals %v, want %v", wordsText(ws), got, want)
		}
	}
}

// imageSignals reads the image in file with a pool of one client and
// returns the words and what vision/text finds in them (no brands).
func imageSignals(t *testing.T, file string) ([]models.Word, []models.Signal) {
	t.Helper()
	p := newTestPool(t, 1)
	ws, err := p.Recognize(context.Background(), loadImage(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return ws, text.NewMatcher(nil, nil).FindWords(ws, text.Options{Source: models.SourceImageText})
}
