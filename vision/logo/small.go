package logo

import (
	"image"
	"math"

	"counterlens/vision/internal/runs"
)

// This file holds the reference's views for small regions. A wordmark 40
// to 90 px long in a photo has strokes and gaps of a pixel or two; the
// photo's area sampling, blur and JPEG merge and thin them, and the region
// cut from it has lost the shape its 400-px reference keeps (a 73-px Sony
// scored 0.64 against it). Comparing like with like, an elongated reference
// is also rendered at a few small sizes as a photo renders it
// (area-averaged, then crisp or box-blurred over 3x3 pixels, cut at a few
// coverages), and each rendering gets its aligned views. A region is
// compared with the rendering nearest its own size, in the pixels of the
// raster it was cut from (scoreRef, smallScore). The null corpus's small
// regions meet the same renderings when the reference is calibrated
// (nullScore goes through scoreRef), so its midpoint covers them.

// smallSides are the long sides, in pixels, an elongated reference is
// rendered at: a ladder of ratio √2, so that every region whose size lies
// within smallRatio of a rendering meets one rendered at about its own
// size. A finer ladder (ratio 1.2, 30 to 90 px) with three cuts each
// found no more marks on the dev set for 2.4 times the descriptor bytes.
var smallSides = []int{32, 45, 64, 90}

// smallCuts are the coverages a rendering is cut at: half, as a grey-level
// threshold halfway between a mark and its background cuts a photo of it,
// and mergeCut (see there).
var smallCuts = []float64{0.5, mergeCut}

// mergeCut is the coverage of the merged rendering: a small wordmark cut
// nearer its background's grey (as the grey ladder cuts a low-contrast mark
// wherever its levels fall) has its letters run together, and the region
// cut from the photo is that merged shape (a blurred 38-px Sony is a bar),
// which the half-coverage rendering is not. The merged rendering takes its
// slot only where it does merge parts of the half-coverage one (fewer
// connected parts); elsewhere the slot repeats the half-coverage view, so
// the descriptor's layout does not depend on the mark.
const mergeCut = 0.3

// smallRatio is how far, as a ratio of RMS lengths along the major axis,
// a region's size may lie from the rendering it is compared with.
const smallRatio = 1.2

// smallCost is taken off a score against a small rendering: a region
// meets two more views (crisp and blurred), which fit by chance a little
// better than one.
const smallCost = 0.02

// smallRender is a reference rendered small: the RMS length of its major
// axis in its own pixels, and the aligned views of each variant (crisp or
// blurred, cut at each of smallCuts) per flip (as is, turned by 180°).
type smallRender struct {
	rms   float64
	views [][2]shapeView
}

// smallRenders renders mask m at each of smallSides, crisp and blurred,
// cut at each of smallCuts, and returns their aligned views. A rendering
// with too few pixels to measure keeps m's own views in its slot, so the
// layout does not depend on the mark.
func smallRenders(m maskSource, mo moments) []smallRender {
	out := make([]smallRender, len(smallSides))
	for i, side := range smallSides {
		r := &out[i]
		vs := smallVariants(m, mo, side)
		r.rms = math.Sqrt(vs[0].mo.l1) // the crisp rendering's, first cut
		r.views = make([][2]shapeView, len(vs))
		for k, v := range vs {
			r.views[k] = [2]shapeView{
				newShapeView(rasterizeAligned(v.m, v.mo, false)),
				newShapeView(rasterizeAligned(v.m, v.mo, true)),
			}
		}
	}
	return out
}

// smallMask is one variant of a small rendering: its mask and moments.
type smallMask struct {
	m  maskSource
	mo moments
}

// smallVariants renders mask m at a long side of side pixels, crisp and
// blurred, each cut at every one of smallCuts, in that order. A variant
// with too few pixels to measure is m itself; a merged cut that merges
// nothing repeats the half cut before it (see mergeCut).
func smallVariants(m maskSource, mo moments, side int) []smallMask {
	out := make([]smallMask, 0, 2*len(smallCuts))
	for _, blur := range []bool{false, true} {
		cov := coverSmall(m, side, blur)
		var half smallMask
		for j, cut := range smallCuts {
			v := smallMask{m: cutSmall(cov, cut)}
			var ok bool
			if v.mo, ok = measure(v.m); !ok {
				v = smallMask{m: m, mo: mo}
			}
			if j == 0 {
				half = v
			} else if cut == mergeCut && parts(v.m) >= parts(half.m) {
				v = half // nothing merges: repeat the half cut
			}
			out = append(out, v)
		}
	}
	return out
}

// smallCover is a grey rendering: the share of each pixel a mask covers.
type smallCover struct {
	w, h int
	c    []float64
}

// coverSmall area-averages m down to a long side of side pixels, with a
// pixel of margin, and optionally box-blurs the smallCover over 3x3 pixels,
// as a photo of the mark at that size is sampled and blurred. A mask
// already that small is sampled as it is.
func coverSmall(m maskSource, side int, blur bool) smallCover {
	f := min(1, float64(side)/float64(max(m.w, m.h)))
	w, h := int(float64(m.w)*f)+3, int(float64(m.h)*f)+3
	on := make([]float64, w*h)
	n := make([]float64, w*h)
	for y := range m.h {
		oy := 1 + int(float64(y)*f)
		for x := range m.w {
			i := oy*w + 1 + int(float64(x)*f)
			n[i]++
			if m.pix[y*m.w+x] != 0 {
				on[i]++
			}
		}
	}
	cov := make([]float64, w*h)
	for i := range cov {
		if n[i] > 0 {
			cov[i] = on[i] / n[i]
		}
	}
	if blur {
		b := make([]float64, w*h)
		for y := range h {
			for x := range w {
				s := 0.0
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := min(w-1, max(0, x+dx)), min(h-1, max(0, y+dy))
						s += cov[yy*w+xx]
					}
				}
				b[y*w+x] = s / 9
			}
		}
		cov = b
	}
	return smallCover{w: w, h: h, c: cov}
}

// cutSmall is the mask of the pixels of cov covered at least cut, as a
// grey-level threshold between a mark and its background cuts a photo of
// it.
func cutSmall(cov smallCover, cut float64) maskSource {
	out := maskSource{w: cov.w, h: cov.h, pix: make([]uint8, cov.w*cov.h)}
	for i, c := range cov.c {
		if c >= cut {
			out.pix[i] = 1
		}
	}
	return out
}

// parts counts the 8-connected parts of m, labelled from its runs
// (vision/internal/runs, as the grey ladder labels regions).
func parts(m maskSource) int {
	var pc partCounter
	return pc.count(m.pix, m.w, m.h)
}

// partCounter counts the 8-connected parts of masks, reusing its buffers
// from mask to mask.
type partCounter struct {
	ink, blank runs.Set
	forest     runs.Forest
}

// count returns the number of 8-connected parts of mask m (w x h).
func (pc *partCounter) count(m []uint8, w, h int) int {
	pc.ink.Reset()
	pc.blank.Reset()
	runs.Cut(m, w, image.Rect(0, 0, w, h), 0, &pc.ink, &pc.blank)
	if cap(pc.forest) < len(pc.ink.Runs) {
		pc.forest = make(runs.Forest, len(pc.ink.Runs))
	}
	f := pc.forest[:len(pc.ink.Runs)]
	f.Reset()
	pc.ink.Link(f, true)
	n := 0
	for i, root := range f {
		if root == int32(i) {
			n++
		}
	}
	return n
}

// nearestSmall returns the rendering of rs whose RMS length is nearest
// the region's (c's, in the pixels of the raster it was cut from), or nil
// when none lies within smallRatio.
func nearestSmall(c *candidate, rs []smallRender) *smallRender {
	rms := math.Sqrt(c.mo.l1)
	var best *smallRender
	bd := math.Log(smallRatio)
	for i := range rs {
		if d := math.Abs(math.Log(rms / rs[i].rms)); d <= bd {
			best, bd = &rs[i], d
		}
	}
	return best
}

// smallScore is the best refined score of c's aligned view against the
// variants of r's rendering nearest c's size (in the given flip), less
// smallCost, or 0 when there is none or the gates rule the pair out.
func smallScore(c *candidate, r *prepared, flip int, cfg Config, floor float64, se search) float64 {
	s := nearestSmall(c, r.small)
	if s == nil {
		return 0
	}
	best := 0.0
	for i := range s.views {
		v := &s.views[i][flip]
		if s.repeatsHalfCut(i, flip) {
			continue
		}
		best = math.Max(best, alignedScore(c, v, cfg, floor, se))
	}
	return math.Max(0, best-smallCost)
}

// repeatsHalfCut reports whether view i (in the given flip) is a merged
// slot repeating the half cut before it (see mergeCut): the same view,
// scored once.
func (s *smallRender) repeatsHalfCut(i, flip int) bool {
	v, p := &s.views[i][flip], &s.views[max(0, i-1)][flip]
	return i > 0 && v.hash == p.hash && v.maskN == p.maskN
}
