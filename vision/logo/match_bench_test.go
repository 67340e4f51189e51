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
// search=fast the single pass with them, search=cut matchShapes (the fast
// search with the report cut of reportcut.go), pass=first its first pass
// alone (queueViews: the gates, the angle search and the unshifted
// scores; matches counts the views it queues); climbs counts the
// refinements (bestShift) an op.
func BenchmarkMatchShapes(b *testing.B) {
	f := realPairs(b)
	cfg := DefaultConfig()
	floor := cfg.queueFloor()
	for _, name := range []string{"search=full", "search=fast", "search=cut", "pass=first"} {
		b.Run(name, func(b *testing.B) {
			n := 0
			b.ReportAllocs()
			var cpu time.Duration
			for b.Loop() {
				t0 := cpuclock.Used()
				for _, c := range f.cands {
					c.shifts, c.alignedShifts = nil, nil // made again, as in a fresh photo
				}
				switch name {
				case "pass=first":
					n = 0
					for _, q := range queueViews(f.cands, f.refs, cfg, floor) {
						n += len(q)
					}
				case "search=cut":
					n = len(matchShapes(f.cands, f.refs, cfg))
				default:
					n = len(matchShapesBy(f.cands, f.refs, cfg, name == "search=fast"))
				}
				cpu += cpuclock.Used() - t0
			}
			climbs := 0
			for _, c := range f.cands {
				for _, s := range []*shiftSet{c.shifts, c.alignedShifts} {
					if s != nil {
						climbs += s.climbs
					}
				}
			}
			b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "cpu_ms/op")
			b.ReportMetric(float64(n), "matches")
			b.ReportMetric(float64(climbs), "climbs")
		})
	}
}
