package logo

import (
	"fmt"
	"image"
	"math"
	"sort"
)

// whyRegion explains, for a missed mark whose box in the photo is gt, why
// no ladder region covers it (COUNTERLENS_BENCH_WHY, for a miss with no
// region at box IoU 0.5): for the grey
// ladder on the working raster and the chroma ladders on the colour
// raster, the three threshold cuts whose components inside the mark's box
// cover it best, each with what those components do: how many there are
// (in), the IoU of their union's box with the mark's (union), the best
// single component's and group's (single, group), the largest component
// that runs from inside the box out past it (spill, its box over the
// mark's: ink or ground that touches the mark), the GroupGap that would
// link the inside parts into one (need; inf when the size ratio forbids
// it), the box of the largest inside part's group over the mark's (chain:
// a group that runs on into its neighbours) and the level's part count
// against MaxParts. The chroma ladders are cut as chromaCandidates cuts
// them, from the colour raster before its median.
func whyRegion(d *Detector, img image.Image, gt image.Rectangle) {
	cfg := d.cfg
	g, scale := toGray(img, cfg.MaxSide, false)
	blur, pix, err := ladderGrey(g)
	if err != nil {
		return
	}
	defer blur.Close()
	whyLadder("grey", pix, g.w, g.h, ladderLevels(cfg.LevelStep, 256), cfg, scaleRect(gt, scale))
	c, cscale := toRGB(img, min(cfg.ColourSide, max(g.w, g.h)))
	planes, err := chromaPlanes(c)
	if err != nil {
		return
	}
	cc := cfg.colourLimits(scale / cscale)
	for axis, plane := range planes {
		whyLadder(fmt.Sprintf("chroma%d", axis+1), plane, c.w, c.h, chromaLevels(cfg.ChromaStep), cc, scaleRect(gt, cscale))
	}
}

func whyLadder(name string, pix []uint8, w, h int, levels []uint8, cfg Config, gt image.Rectangle) {
	type cut struct {
		t                           uint8
		p, in, parts                int
		union, single, group, spill float64
		need, chain                 float64
		minIn, maxIn                int
	}
	var cuts []cut
	var rl runLabeler
	var comps []component
	pad := max(2, max(gt.Dx(), gt.Dy())/10)
	loose := gt.Inset(-pad)
	for _, t := range levels {
		rl.cut(pix, w, h, t)
		for p := range 2 {
			comps = rl.components(p, comps)
			cu := cut{t: t, p: p, minIn: 1 << 30}
			var ins []int
			var ub image.Rectangle
			for k := 1; k < len(comps); k++ {
				c := comps[k]
				if c.area >= cfg.MinPartArea {
					cu.parts++
				}
				if c.area < cfg.MinPartArea || !c.box.Overlaps(gt) {
					continue
				}
				if c.box.In(loose) {
					ins = append(ins, k)
					ub = ub.Union(c.box)
					cu.single = max(cu.single, boxIoU(c.box, gt))
					cu.minIn, cu.maxIn = min(cu.minIn, c.area), max(cu.maxIn, c.area)
					continue
				}
				// Spills: how much of the mark's box the component's box covers.
				in := c.box.Intersect(gt)
				if f := float64(in.Dx()*in.Dy()) / float64(gt.Dx()*gt.Dy()); f > 0.2 {
					cu.spill = max(cu.spill, float64(c.box.Dx()*c.box.Dy())/float64(gt.Dx()*gt.Dy()))
				}
			}
			cu.in = len(ins)
			if len(ins) > 0 {
				cu.union = boxIoU(ub, gt)
			}
			groupOf, groups := groupComponents(comps, cfg, nil)
			for _, gr := range groups {
				cu.group = max(cu.group, boxIoU(gr.box, gt))
			}
			// The group of the largest inside part, over the mark's box.
			big := -1
			for _, k := range ins {
				if big < 0 || comps[k].area > comps[big].area {
					big = k
				}
			}
			if big >= 0 && groupOf[big] >= 0 {
				gb := groups[groupOf[big]].box
				cu.chain = float64(gb.Dx()*gb.Dy()) / float64(gt.Dx()*gt.Dy())
			}
			// The GroupGap that links every inside part: the bottleneck of
			// a minimum spanning tree over the gap each pair needs.
			cu.need = mstNeed(comps, ins, cfg)
			cuts = append(cuts, cu)
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].union > cuts[j].union })
	for _, cu := range cuts[:min(3, len(cuts))] {
		fmt.Fprintf(dumpF, "  WHYREGION %s t=%d p=%d in=%d area=%d..%d union=%.2f single=%.2f group=%.2f spill=%.1f need=%.2f chain=%.1f parts=%d\n",
			name, cu.t, cu.p, cu.in, cu.minIn, cu.maxIn, cu.union, cu.single, cu.group, cu.spill, cu.need, cu.chain, cu.parts)
	}
}

// mstNeed is the least GroupGap that links the components ins of comps
// into one group, as groupComponents links them (inf when the size ratio
// keeps one apart).
func mstNeed(comps []component, ins []int, cfg Config) float64 {
	if len(ins) < 2 {
		return 0
	}
	size := func(b image.Rectangle) int { return max(b.Dx(), b.Dy()) }
	pair := func(a, b image.Rectangle) float64 {
		sa, sb := size(a), size(b)
		if max(sa, sb) > cfg.MaxPartRatio*min(sa, sb) {
			return math.Inf(1)
		}
		dx := max(0, max(a.Min.X-b.Max.X, b.Min.X-a.Max.X))
		dy := max(0, max(a.Min.Y-b.Max.Y, b.Min.Y-a.Max.Y))
		gap := max(dx, dy) // Inset overlaps in both axes
		return float64(max(0, gap-cfg.GroupSlack)) / float64(min(sa, sb))
	}
	// Prim's.
	inTree := make([]bool, len(ins))
	best := make([]float64, len(ins))
	for i := range best {
		best[i] = math.Inf(1)
	}
	best[0] = 0
	need := 0.0
	for range ins {
		j := -1
		for i := range ins {
			if !inTree[i] && (j < 0 || best[i] < best[j]) {
				j = i
			}
		}
		inTree[j] = true
		need = max(need, best[j])
		for i := range ins {
			if !inTree[i] {
				best[i] = min(best[i], pair(comps[ins[j]].box, comps[ins[i]].box))
			}
		}
	}
	return need
}
