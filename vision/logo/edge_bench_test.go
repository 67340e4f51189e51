package logo

import (
	"context"
	"fmt"
	"image"
)

// edgeWhy writes to the dump what makes the edge ratio of the region
// reported at box (scene pixels) low: the mean gradients on its boundary,
// inside and outside, on the raster it was cut from and on the other one,
// at rings 1 and 2.
func edgeWhy(d *Detector, img image.Image, box image.Rectangle) {
	g, scale := toGray(img, d.cfg.MaxSide, false)
	cands, col, err := photoCandidates(context.Background(), img, g, scale, d.cfg)
	if err != nil {
		return
	}
	best, bi := 0.0, -1
	for k, c := range cands {
		if v := boxIoU(scaleRect(c.box, 1/scale), box); v > best {
			best, bi = v, k
		}
	}
	if bi < 0 {
		return
	}
	for _, c := range cands {
		if boxIoU(scaleRect(c.box, 1/scale), box) < best-0.05 {
			continue
		}
		fmt.Fprintf(dumpF, "  EDGE colour=%v iou=%.2f src=%v ratio=%.2f\n", c.colour, boxIoU(scaleRect(c.box, 1/scale), box), c.src.Size(), edgeRatio(c, g, col))
		for _, ring := range []int{1, 2} {
			var e edgeParts
			if c.colour {
				e = measureEdge(c, col.pix, col.w, col.h, 3, ring)
			} else {
				e = measureEdge(c, g.pix, g.w, g.h, 1, ring)
			}
			fmt.Fprintf(dumpF, "    own ring=%d %s\n", ring, e)
			if c.colour {
				if o, ok := resampled(c, col.w, col.h, g.w, g.h); ok {
					e = measureEdge(o, g.pix, g.w, g.h, 1, ring)
				}
			} else if o, ok := resampled(c, g.w, g.h, col.w, col.h); ok {
				e = measureEdge(o, col.pix, col.w, col.h, 3, ring)
			}
			fmt.Fprintf(dumpF, "    other ring=%d %s\n", ring, e)
		}
	}
}

func (e edgeParts) String() string {
	f := func(s, n float64) float64 {
		if n == 0 {
			return -1
		}
		return s / n
	}
	return fmt.Sprintf("ratio=%.2f B=%.1f(%d) I=%.1f(%d) O=%.1f(%d)", e.ratio(), f(e.gB, e.nB), int(e.nB), f(e.gI, e.nI), int(e.nI), f(e.gO, e.nO), int(e.nO))
}
