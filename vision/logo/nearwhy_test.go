package logo

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/bits"
	"os"
)

// nearWhy explains a near miss for the benchmark's WHY dump: region c's
// best view of reference r (aligned, tapered, small renderings or, for a
// round reference, every angle; gates ignored), its silhouette and
// concavity terms, the ink of both rasters, and what the same region
// scores with its raster dilated or eroded by one cell (a stroke width the
// blur or threshold level changed) or with its parts counted. When png is
// not empty the two rasters and their overlay are written there.
func nearWhy(c *candidate, r *prepared, pngPath string) string {
	type cand struct {
		v    *shapeView
		kind string
	}
	var views []cand
	base := &c.view
	if r.aniso {
		if c.alignedView() == nil {
			return "NEAR no aligned view"
		}
		base = c.aligned
		flip, ok := alignedFlip(c, r)
		if !ok {
			flip = 0
		}
		views = append(views, cand{&r.aligned[flip], "aligned"})
		for i := range r.tapered {
			views = append(views, cand{&r.tapered[i][flip], fmt.Sprintf("taper%d", i)})
		}
		if s := nearestSmall(c, r.small); s != nil {
			for i := range s.views {
				views = append(views, cand{&s.views[i][flip], fmt.Sprintf("small%d", i)})
			}
		}
	} else {
		for i := range r.views {
			views = append(views, cand{&r.views[i], fmt.Sprintf("angle%d", i)})
		}
	}
	best, bv, bk := -1.0, (*shapeView)(nil), ""
	for _, v := range views {
		if s := shiftedBest(base.mask, v.v); s > best {
			best, bv, bk = s, v.v, v.kind
		}
	}
	m, k := shapeTerms(base, bv)
	dil := base.mask.dilated()
	ero := eroded(&base.mask)
	sd, se := shiftedBest(dil, bv), shiftedBest(ero, bv)
	if pngPath != "" {
		writeRasters(pngPath, &base.mask, &bv.mask)
	}
	return fmt.Sprintf("NEAR view=%s best=%.3f m=%.3f k=%.3f ink=%d ref_ink=%d dil=%.3f ero=%.3f parts=%d ref_parts=%d hash=%d",
		bk, best, m, k, base.maskN, bv.maskN, sd, se, gridParts(&base.mask), gridParts(&bv.mask), bits.OnesCount64(base.hash^bv.hash))
}

// shiftedBest is the best shape score of grid g, moved by up to two cells,
// against v.
func shiftedBest(g bitgrid, v *shapeView) float64 {
	best := 0.0
	for dy := -2; dy <= 2; dy++ {
		for dx := -2; dx <= 2; dx++ {
			w := newShapeView(g.shifted(dx, dy))
			best = max(best, shapeScore(&w, v))
		}
	}
	return best
}

// gridParts counts g's 8-connected components.
func gridParts(g *bitgrid) int {
	_, n := gridLabels(g, 1)
	return n
}

// writeRasters writes region a, reference b and their overlay (red: a
// only, green: b only, white: both), 4 pixels a cell.
func writeRasters(path string, a, b *bitgrid) {
	const s = 4
	img := image.NewRGBA(image.Rect(0, 0, 3*gridN*s+8, gridN*s))
	at := func(g *bitgrid, x, y int) bool { return g[y]>>uint(x)&1 == 1 }
	for y := range gridN {
		for x := range gridN {
			pa, pb := at(a, x, y), at(b, x, y)
			cs := [3]color.RGBA{{40, 40, 40, 255}, {40, 40, 40, 255}, {40, 40, 40, 255}}
			if pa {
				cs[0] = color.RGBA{255, 255, 255, 255}
			}
			if pb {
				cs[1] = color.RGBA{255, 255, 255, 255}
			}
			switch {
			case pa && pb:
				cs[2] = color.RGBA{255, 255, 255, 255}
			case pa:
				cs[2] = color.RGBA{255, 60, 60, 255}
			case pb:
				cs[2] = color.RGBA{60, 255, 60, 255}
			}
			for p := range 3 {
				for yy := range s {
					for xx := range s {
						img.Set(p*(gridN*s+4)+x*s+xx, y*s+yy, cs[p])
					}
				}
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = png.Encode(f, img)
}
