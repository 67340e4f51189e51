package devset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"counterlens/ingest/pipeline"
	"counterlens/ingest/score"
	"counterlens/ingest/score/calibrate"
	"counterlens/models"
	"counterlens/vision"
)

var _ vision.RefSource = (*RefSource)(nil)

// analysed is one listing's label and the signals the real analysis found,
// as cached under .bench/ranking/.
type analysed struct {
	ID       string          `json:"id"`
	Kind     Kind            `json:"kind"`
	Positive bool            `json:"positive"`
	BrandID  string          `json:"brand_id,omitempty"`
	Title    string          `json:"title"`
	Truth    []string        `json:"truth"`
	Signals  []models.Signal `json:"signals"`
}

// BenchmarkRanking builds development listings from the real inputs of
// COUNTERLENS_BENCH_DATA (make bench-data), runs the real analysis on each
// (pipeline.Analyzer with the vision engine: mark detector, OCR, text) once
// and caches the signals under .bench/ranking/ by seed, size and a digest
// of everything they depend on (analysisKey: code, settings, tesseract,
// inputs), then scores the cached signals: average precision and
// precision at 10 and 50 for the weights set by reasoning before
// calibration, the defaults before rank3, score.DefaultWeights (with and
// without its text-only factor) and weights fitted by coordinate ascent
// (from the defaults; all of them, or all but the brand sightings') on the
// development seed, on that seed and on a held-out seed never fitted on.
// It also counts the top 50 with a reason a person can check in a picture
// (score.Pictured) or in the listing's text. COUNTERLENS_BENCH_SEED (default 42),
// COUNTERLENS_BENCH_HELDOUT (43) and COUNTERLENS_BENCH_LISTINGS (300 per
// seed) change the sets; -v lists, for the current weights, the top 10, the
// top 50 without a reason in a picture, the negatives ranked above a
// positive and the positives ranked below a negative.
func BenchmarkRanking(b *testing.B) {
	const fontDir = "/usr/share/fonts/truetype"
	dir := os.Getenv("COUNTERLENS_BENCH_DATA")
	if dir == "" {
		b.Skip("COUNTERLENS_BENCH_DATA is not set: run make bench-ranking, which fetches simple-icons and the opencv-doc photos")
	}
	seed := envUint(b, "COUNTERLENS_BENCH_SEED", 42)
	heldOut := envUint(b, "COUNTERLENS_BENCH_HELDOUT", 43)
	n := int(envUint(b, "COUNTERLENS_BENCH_LISTINGS", 300))
	cfg := vision.DefaultConfig()
	version, err := analysisKey(dir, fontDir, cfg)
	if err != nil {
		b.Fatal(err)
	}
	var in *Inputs
	var refs *RefSource
	load := func() (Inputs, *RefSource) {
		if in == nil {
			i, logos, err := LoadBench(dir, fontDir)
			if err != nil {
				b.Fatal(err)
			}
			in, refs = &i, NewRefSource(Brands(nil), logos)
		}
		return *in, refs
	}
	sets := map[uint64][]analysed{}
	for _, s := range []uint64{seed, heldOut} {
		path := filepath.Join(dir, "ranking", fmt.Sprintf("seed%d-n%d-%s.json", s, n, version))
		var set []analysed
		if raw, err := os.ReadFile(path); err == nil && json.Unmarshal(raw, &set) == nil && len(set) == n {
			sets[s] = set
			fmt.Printf("ranking: seed %d: %d listings from the cache %s\n", s, len(set), path)
			continue
		}
		i, r := load()
		t0 := time.Now()
		set, err = analyse(cfg, i, r, s, n)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Printf("ranking: seed %d: built and analysed %d listings in %s (%d cores)\n", s, len(set), time.Since(t0).Round(time.Second), runtime.NumCPU())
		raw, _ := json.Marshal(set)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err == nil {
			_ = os.WriteFile(path, raw, 0o644)
		}
		sets[s] = set
	}

	dev, held := examples(sets[seed]), examples(sets[heldOut])
	describe(sets[seed], fmt.Sprintf("dev seed %d", seed))
	describe(sets[heldOut], fmt.Sprintf("held-out seed %d", heldOut))
	cur := score.DefaultWeights()
	// Two fits from the current weights: every weight, and every weight but
	// the three brand sightings' (they set the base score of a branded
	// listing that rights holders' min_score thresholds are set against).
	var notBrand []calibrate.Param
	for _, p := range calibrate.Params() {
		if p.Name != "logo" && p.Name != "image_text_brand" && p.Name != "listing_text_brand" {
			notBrand = append(notBrand, p)
		}
	}
	var fitted, fittedHeld score.Weights
	var fitAP, heldAP float64
	for b.Loop() {
		fitted, fitAP = calibrate.Fit(cur, dev, calibrate.Params(), 10)
		fittedHeld, heldAP = calibrate.Fit(cur, dev, notBrand, 10)
	}
	fmt.Println("ranking: weights (current -> fitted on the dev seed: all / brand weights held):")
	for _, p := range calibrate.Params() {
		fmt.Printf("  %-19s %.2f -> %.2f / %.2f\n", p.Name, *p.Ptr(&cur), *p.Ptr(&fitted), *p.Ptr(&fittedHeld))
	}
	fmt.Printf("ranking: fits reached AP %.4f / %.4f on the dev seed\n", fitAP, heldAP)
	noTieBreak := cur
	noTieBreak.TextOnly = 1
	fmt.Printf("%-12s %-16s %6s %6s %6s %14s %14s\n", "weights", "set", "AP", "P@10", "P@50", "top50 checkable", "top50 in picture")
	for _, w := range []struct {
		name string
		w    score.Weights
	}{{"reasoned", reasoned()}, {"previous", previous()}, {"current", cur}, {"text_only=1", noTieBreak},
		{"fitted", fitted}, {"fitted-held", fittedHeld}} {
		for _, s := range []struct {
			name string
			ex   []calibrate.Example
		}{{fmt.Sprintf("dev %d", seed), dev}, {fmt.Sprintf("held-out %d", heldOut), held}} {
			r := calibrate.Rank(w.w, s.ex)
			check, pic := checkable(r, 50)
			fmt.Printf("%-12s %-16s %6.4f %6.2f %6.2f %11d/%d %13d/%d\n", w.name, s.name,
				calibrate.AveragePrecision(r), calibrate.PrecisionAt(r, 10), calibrate.PrecisionAt(r, 50), check, min(50, len(r)), pic, min(50, len(r)))
			if testing.Verbose() && w.name == "current" {
				listRanking(r, sets, seed, heldOut, s.name)
			}
			if w.name == "current" && strings.HasPrefix(s.name, "held-out") {
				b.ReportMetric(calibrate.AveragePrecision(r), "AP-heldout")
			}
		}
	}
}

// reasoned are the weights set by reasoning before the first calibration
// (commit b73b4fe), kept to compare against.
func reasoned() score.Weights {
	w := previous()
	w.Logo, w.ImageTextBrand, w.ListingTextBrand, w.RiskTerm = 0.70, 0.55, 0.30, 0.60
	w.Contact, w.PriceBelowFloor, w.PictureOnly, w.AuthorizedSeller = 0.30, 0.40, 0.45, 0.15
	return w
}

// previous are the defaults before the no-brand and text-only factors, the
// price counted once and weighed by its brand's sighting (issue 8, rank3).
func previous() score.Weights {
	w := score.DefaultWeights()
	w.RiskTerm, w.Contact, w.PriceBelowFloor, w.PictureOnly = 0.60, 0.60, 0.55, 0.70
	w.NoBrand, w.TextOnly = 1, 1
	delete(w.PerType, models.SignalPriceBelowFloor)
	return w
}

func envUint(b *testing.B, key string, def uint64) uint64 {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == 0 {
		b.Fatalf("%s=%q: want a positive integer", key, v)
	}
	return n
}

// analyse builds a seed's listings and runs the real analysis on each, on
// as many goroutines as cores.
func analyse(cfg vision.Config, in Inputs, refs *RefSource, seed uint64, n int) ([]analysed, error) {
	ls, err := Build(in, seed, n)
	if err != nil {
		return nil, err
	}
	eng, err := vision.New(cfg, refs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	a := &pipeline.Analyzer{Vision: eng, Weights: score.DefaultWeights()}
	out := make([]analysed, len(ls))
	errs := make([]error, len(ls))
	next := make(chan int)
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Go(func() {
			for i := range next {
				l := ls[i]
				an, err := a.Analyze(context.Background(), l.Listing, l.Images, true)
				out[i] = analysed{ID: l.Listing.ID, Kind: l.Kind, Positive: l.Positive, BrandID: l.BrandID,
					Title: l.Listing.Title, Truth: l.Truth, Signals: an.Signals}
				errs[i] = err
			}
		})
	}
	for i := range ls {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, errors.Join(errs...)
}

func examples(set []analysed) []calibrate.Example {
	out := make([]calibrate.Example, len(set))
	for i, a := range set {
		out[i] = calibrate.Example{ID: a.ID, Positive: a.Positive, Signals: a.Signals}
	}
	return out
}

// describe prints the set's make-up and how often the analysis found the
// brand of a positive at all (the ceiling of any weighting).
func describe(set []analysed, name string) {
	kinds := map[Kind]int{}
	pos, found := 0, 0
	for _, a := range set {
		kinds[a.Kind]++
		if !a.Positive {
			continue
		}
		pos++
		if slices.ContainsFunc(a.Signals, func(s models.Signal) bool {
			return s.BrandID == a.BrandID && (s.Type == models.SignalLogo || s.Type == models.SignalImageTextBrand || s.Type == models.SignalListingTextBrand)
		}) {
			found++
		}
	}
	var parts []string
	for _, k := range kindShares {
		parts = append(parts, fmt.Sprintf("%s %d", k.kind, kinds[k.kind]))
	}
	fmt.Printf("ranking: %s: %d listings (%s); %d positives, brand found by the analysis in %d\n",
		name, len(set), strings.Join(parts, ", "), pos, found)
}

// checkable counts, among the first k, the listings with a reason a
// person can check: one in a picture, with its box ([score.Pictured]), or
// a counted one (weight > 0) found in the listing's own text; and, apart,
// those with one in a picture.
func checkable(r []calibrate.Ranked, k int) (anyReason, inPicture int) {
	for _, x := range r[:min(k, len(r))] {
		if score.Pictured(x.Signals) {
			inPicture++
			anyReason++
			continue
		}
		if slices.ContainsFunc(x.Signals, func(s models.Signal) bool { return s.Weight > 0 && s.Source == models.SourceListingText }) {
			anyReason++
		}
	}
	return anyReason, inPicture
}

func listRanking(r []calibrate.Ranked, sets map[uint64][]analysed, seed, heldOut uint64, name string) {
	byID := map[string]analysed{}
	set := sets[seed]
	if strings.HasPrefix(name, "held-out") {
		set = sets[heldOut]
	}
	for _, a := range set {
		byID[a.ID] = a
	}
	line := func(i int, x calibrate.Ranked) {
		a := byID[x.ID]
		fmt.Printf("    #%-3d %.3f %-17s %-8v %q truth=%v reasons=%q\n", i+1, x.Score, a.Kind, a.Positive, a.Title, a.Truth, x.Reasons)
	}
	fmt.Printf("  %s, top 10:\n", name)
	for i, x := range r[:min(10, len(r))] {
		line(i, x)
	}
	// What costs AP: the negatives ranked above a positive, and the
	// positives ranked below a negative.
	firstNeg, lastPos := len(r), -1
	for i, x := range r {
		if x.Positive {
			lastPos = i
		} else {
			firstNeg = min(firstNeg, i)
		}
	}
	fmt.Printf("  %s, top 50 without a reason in a picture:\n", name)
	for i, x := range r[:min(50, len(r))] {
		if !score.Pictured(x.Signals) {
			line(i, x)
		}
	}
	fmt.Printf("  %s, negatives above a positive and positives below a negative:\n", name)
	for i, x := range r {
		if !x.Positive && i < lastPos || x.Positive && i > firstNeg {
			line(i, x)
		}
	}
}
