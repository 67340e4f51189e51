// Package calibrate measures how well [score.Score] ranks labelled listings
// and fits its weights on them. It works on signals already found (an
// analysis is run once per listing and its signals are kept), so a fit
// re-scores signals only and never looks at a picture again. Pure Go.
//
// The measure is average precision (AP) of the ranking, the mean of the
// precision at the rank of each positive, and precision at the top k. Ties
// are broken against us: among listings with the same score, negatives
// rank first, so a score that cannot tell two listings apart earns nothing
// for it.
package calibrate

import (
	"cmp"
	"maps"
	"math"
	"slices"

	"counterlens/ingest/score"
	"counterlens/models"
)

// Example is one labelled listing and the signals its analysis found.
type Example struct {
	ID       string
	Positive bool
	Signals  []models.Signal
}

// Ranked is an example with the score and the scored signals (each with its
// Weight, strongest first) that a set of weights gives it.
type Ranked struct {
	*Example
	Score   float64
	Signals []models.Signal
	Reasons []string
}

// Rank scores every example with w and sorts them, highest score first;
// ties put negatives first, then order by ID. The examples are not changed.
func Rank(w score.Weights, examples []Example) []Ranked {
	out := make([]Ranked, len(examples))
	for i := range examples {
		sigs := slices.Clone(examples[i].Signals)
		s, reasons := score.Score(w, sigs)
		out[i] = Ranked{Example: &examples[i], Score: s, Signals: sigs, Reasons: reasons}
	}
	slices.SortFunc(out, func(a, b Ranked) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmpBool(a.Positive, b.Positive), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// AveragePrecision is the mean, over the positives, of the precision of
// the ranking down to each positive: 1 when every positive ranks above
// every negative. A ranking without positives has AP 0.
func AveragePrecision(r []Ranked) float64 {
	hits, sum := 0, 0.0
	for i, x := range r {
		if x.Positive {
			hits++
			sum += float64(hits) / float64(i+1)
		}
	}
	if hits == 0 {
		return 0
	}
	return sum / float64(hits)
}

// PrecisionAt is the share of positives among the first k (or all, when
// there are fewer).
func PrecisionAt(r []Ranked, k int) float64 {
	k = min(k, len(r))
	if k <= 0 {
		return 0
	}
	hits := 0
	for _, x := range r[:k] {
		if x.Positive {
			hits++
		}
	}
	return float64(hits) / float64(k)
}

// Param is one weight the fit may change.
type Param struct {
	Name string
	Ptr  func(*score.Weights) *float64
	// Grid holds the values tried, in order.
	Grid []float64
}

// Params are the weights of the signal kinds a single listing's analysis
// finds (pictures, text, price, authorised seller) and the factor of a
// listing without any registered brand (up to 1: no factor). Network and reuse
// weights need several listings of one seller and are left to
// [score.DefaultWeights].
func Params() []Param {
	w := grid(0.05, 0.95)
	return []Param{
		{"logo", func(x *score.Weights) *float64 { return &x.Logo }, w},
		{"image_text_brand", func(x *score.Weights) *float64 { return &x.ImageTextBrand }, w},
		{"listing_text_brand", func(x *score.Weights) *float64 { return &x.ListingTextBrand }, w},
		{"risk_term", func(x *score.Weights) *float64 { return &x.RiskTerm }, w},
		{"contact", func(x *score.Weights) *float64 { return &x.Contact }, w},
		{"price_below_floor", func(x *score.Weights) *float64 { return &x.PriceBelowFloor }, w},
		{"picture_only", func(x *score.Weights) *float64 { return &x.PictureOnly }, w},
		{"disguised_brand", func(x *score.Weights) *float64 { return &x.DisguisedBrand }, w},
		{"authorized_seller", func(x *score.Weights) *float64 { return &x.AuthorizedSeller }, w},
		{"no_brand", func(x *score.Weights) *float64 { return &x.NoBrand }, grid(0.05, 1)},
	}
}

// grid is lo, lo+0.05, …, hi.
func grid(lo, hi float64) []float64 {
	var g []float64
	for v := lo; v <= hi+1e-9; v += 0.05 {
		g = append(g, round2(v))
	}
	return g
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Fit is coordinate ascent on average precision: it sweeps each parameter
// over its grid with the others fixed and moves it only when another value
// is strictly better, to the best value nearest the current one (so a
// weight the data does not speak to stays where it was, and one it speaks
// to moves no further than it must); it repeats until a whole round
// changes nothing, or rounds rounds are done. Weights come out rounded to
// two decimals. It returns the weights and the AP they reach.
func Fit(start score.Weights, examples []Example, params []Param, rounds int) (score.Weights, float64) {
	w := start
	w.PerType = maps.Clone(start.PerType)
	for _, p := range params {
		*p.Ptr(&w) = round2(*p.Ptr(&w))
	}
	best := AveragePrecision(Rank(w, examples))
	for range rounds {
		changed := false
		for _, p := range params {
			cur := p.Ptr(&w)
			was := *cur
			aps := make([]float64, len(p.Grid))
			top := best
			for i, v := range p.Grid {
				*cur = v
				aps[i] = AveragePrecision(Rank(w, examples))
				top = max(top, aps[i])
			}
			*cur = was
			if top <= best+1e-9 {
				continue
			}
			// Of the values that reach the best AP, the one nearest the
			// current weight: the smallest change the data asks for.
			for i, v := range p.Grid {
				if aps[i] >= top-1e-9 && (*cur == was || math.Abs(v-was) < math.Abs(*cur-was)) {
					*cur = v
				}
			}
			best, changed = top, true
		}
		if !changed {
			break
		}
	}
	return w, best
}
