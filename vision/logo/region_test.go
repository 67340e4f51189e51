package logo

import (
	"math"
	"testing"
)

// TestEccWindowWidensTowardsElongated checks the eccentricity window of
// matchShapes: an elongated reference meets regions up to anisoLogEcc more
// elongated than itself (perspective shortens a wordmark's short axis) and
// no rounder than MaxLogEcc; a round reference keeps MaxLogEcc both ways.
func TestEccWindowWidensTowardsElongated(t *testing.T) {
	cfg := DefaultConfig()
	mark := func(ecc float64) *candidate { return &candidate{mo: moments{ecc: ecc}} }
	wordmark := &prepared{logoID: "w", brandID: "w", aniso: true, logEcc: math.Log(0.09)}
	disc := &prepared{logoID: "d", brandID: "d", logEcc: math.Log(0.9)}
	in := func(r *prepared, c *candidate) bool {
		below, above := cfg.eccWindow(r)
		e := math.Log(c.mo.ecc)
		return e >= r.logEcc-below && e <= r.logEcc+above
	}
	for _, tc := range []struct {
		name string
		ref  *prepared
		ecc  float64
		want bool
	}{
		{"wordmark foreshortened", wordmark, 0.04, true},
		{"wordmark far thinner", wordmark, 0.02, false},
		{"wordmark rounder", wordmark, 0.2, false},
		{"wordmark about right", wordmark, 0.15, true},
		{"disc thinner", disc, 0.4, false},
		{"disc a little thinner", disc, 0.5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := in(tc.ref, mark(tc.ecc)); got != tc.want {
				t.Errorf("ecc %.2f against %s: in window %v, want %v", tc.ecc, tc.ref.logoID, got, tc.want)
			}
		})
	}
}
