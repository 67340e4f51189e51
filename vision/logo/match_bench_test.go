package logo

import (
	"testing"
	"time"

	"counterlens/internal/cpuclock"
)

// BenchmarkMatchShapes times the shape matching alone (matchShapes) on
// the real pairs of TestRingBound: the regions of the test scenes, of the
// null corpus and of scenes with every test mark composited in, against the
// test marks and look-alikes. Unlike BenchmarkLogos it leaves out the
// candidate regions and verification, and its work is the same on every
// run, so a change to the matcher shows in cpu_ms/op (the process's own
// CPU time, see cpuclock.Used) even on a loaded machine, where ns/op does not.
// search=full is the search without the shortcuts of fastSearch,
// search=staged matchShapes' staged search (staged.go).
func BenchmarkMatchShapes(b *testing.B) {
	f := realPairs(b)
	cfg := DefaultConfig()
	for _, mode := range []string{"full", "fast", "staged"} {
		b.Run("search="+mode, func(b *testing.B) {
			n := 0
			b.ReportAllocs()
			var cpu time.Duration
			for b.Loop() {
				t0 := cpuclock.Used()
				for _, c := range f.cands {
					c.shifts, c.alignedShifts = nil, nil // made again, as in a fresh photo
				}
				var ms []shapeMatch
				switch mode {
				case "staged":
					ms = matchShapesStaged(f.cands, f.refs, cfg)
				default:
					ms = matchShapesBy(f.cands, f.refs, cfg, mode == "fast")
				}
				n = len(ms)
				cpu += cpuclock.Used() - t0
			}
			b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "cpu_ms/op")
			b.ReportMetric(float64(n), "matches")
		})
	}
}
