package main

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"
)

// TestParseDumpAndFit reads a few lines of a real training dump (shape
// matches with their features, one of another route, one without
// features, a miss) and fits them: only the shape matches with features
// are rows, the fit is the penalised likelihood's stationary point, and
// it ranks every true match of the input above every false one.
func TestParseDumpAndFit(t *testing.T) {
	f, err := os.Open("testdata/small-dump.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := parseDump(f, "small")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 {
		t.Fatalf("%d rows, want the 8 shape matches with features", len(rows))
	}
	w, err := fit(rows, lambda)
	if err != nil {
		t.Fatal(err)
	}
	// The gradient of the penalised log-likelihood vanishes at the fit.
	g := make([]float64, len(w))
	for _, r := range rows {
		x := append([]float64{1}, r.x...)
		p := predict(w, r.x)
		for i := range g {
			g[i] += (r.y - p) * x[i]
		}
	}
	for i := 1; i < len(g); i++ {
		g[i] -= lambda * w[i]
	}
	for i, v := range g {
		if math.Abs(v) > 1e-6 {
			t.Errorf("gradient[%d] = %g at the fit", i, v)
		}
	}
	minTrue, maxFalse := 1.0, 0.0
	for _, r := range rows {
		if p := predict(w, r.x); r.y == 1 {
			minTrue = math.Min(minTrue, p)
		} else {
			maxFalse = math.Max(maxFalse, p)
		}
	}
	if minTrue <= maxFalse {
		t.Errorf("a false match at %.3f ranks over a true one at %.3f", maxFalse, minTrue)
	}
	// The rows survive their file.
	var buf bytes.Buffer
	if err := writeRows(&buf, rows); err != nil {
		t.Fatal(err)
	}
	back, err := readRows(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(rows) {
		t.Fatalf("%d rows read back, want %d", len(back), len(rows))
	}
	for i := range rows {
		if back[i].y != rows[i].y || back[i].group != rows[i].group || !equal(back[i].x, rows[i].x) {
			t.Errorf("row %d read back as %v, want %v", i, back[i], rows[i])
		}
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestWeightsAreTheFit: vision/logo/decide_weights.go is what the fit
// writes from the training rows kept beside it, so the weights in code can
// be remade from the repository (scripts/fit-logos.sh remakes the rows).
func TestWeightsAreTheFit(t *testing.T) {
	f, err := os.Open("../testdata/decide-train.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := readRows(f)
	if err != nil {
		t.Fatal(err)
	}
	w, err := fit(rows, lambda)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := source(&got, w, len(rows)); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../decide_weights.go")
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("decide_weights.go is not the fit of testdata/decide-train.tsv; refit with\n"+
			"  go run ./vision/logo/decidefit -rows vision/logo/testdata/decide-train.tsv -o vision/logo/decide_weights.go\n"+
			"got:\n%s", strings.TrimSpace(got.String()))
	}
}
