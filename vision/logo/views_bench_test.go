package logo

import (
	"context"
	"testing"

	"counterlens/internal/cpuclock"
)

// BenchmarkRegionViews measures rasterising the views of the nine test
// scenes' regions at 1000 px (an op is every region once): a region's own
// view through the axis-only path (path=axes, what addCandidate makes) and
// through the general per-pixel map (path=general: the same map with an
// off-axis term of 1e-300, which moves no cell but takes the general
// code), and the aligned views of the elongated ones (aligned), in CPU ms
// an op.
func BenchmarkRegionViews(b *testing.B) {
	cfg := DefaultConfig()
	var srcs []maskSource
	var mos []moments
	for _, ph := range photos1000(b) {
		g, scale := toGray(ph, cfg.MaxSide, false)
		cs, _, err := photoCandidates(context.Background(), ph, g, scale, cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cs {
			srcs = append(srcs, maskSource{w: c.src.Dx(), h: c.src.Dy(), pix: c.mask})
			mos = append(mos, c.mo)
		}
	}
	for _, path := range []string{"axes", "general", "aligned"} {
		b.Run("path="+path, func(b *testing.B) {
			cpu0 := cpuclock.Used()
			for b.Loop() {
				for i, src := range srcs {
					mo := mos[i]
					k := 1 / mo.radius
					switch path {
					case "axes":
						rasterizeLinear(src, mo, [4]float64{k, 0, 0, k})
					case "general":
						rasterizeLinear(src, mo, [4]float64{k, 1e-300, 0, k})
					case "aligned":
						if mo.ecc < anisoCandEcc {
							rasterizeAligned(src, mo, false)
						}
					}
				}
			}
			// CPU time (getrusage) rather than wall time: the machine is shared.
			b.ReportMetric(float64((cpuclock.Used()-cpu0).Microseconds())/1e3/float64(b.N), "cpu_ms/op")
			b.ReportMetric(float64(len(srcs)), "regions")
		})
	}
}
