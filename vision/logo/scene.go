package logo

import (
	"context"
	"image"
	"unsafe"

	"gocv.io/x/gocv"
)

// candidate is a region of the scene that may be a flat mark: one connected
// component of a grey-level threshold, or a group of nearby ones (letters of a
// wordmark), in either polarity and at one of several scales.
type candidate struct {
	box  image.Rectangle // working-raster pixels
	mo   moments         // in the pixels of the pyramid level it came from
	view shapeView
	// shifts are the views translated by up to maxShift cells, made on demand.
	shifts []shapeView
}

func (c *candidate) shifted() []shapeView {
	if c.shifts == nil {
		c.shifts = make([]shapeView, 0, (2*maxShift+1)*(2*maxShift+1))
		for dy := -maxShift; dy <= maxShift; dy++ {
			for dx := -maxShift; dx <= maxShift; dx++ {
				c.shifts = append(c.shifts, shapeView{mask: c.view.mask.shifted(dx, dy), conc: c.view.conc.shifted(dx, dy)})
			}
		}
	}
	return c.shifts
}

type boxKey struct{ x0, y0, x1, y1, q int }

// sceneCandidates finds candidate regions: at every pyramid level and every
// threshold of a grey-level ladder (a poor man's MSER, which gocv does not
// expose as regions), the connected components of both polarities, raw and
// merged by a small dilation. Near-duplicates across levels are dropped.
func sceneCandidates(ctx context.Context, g grayImage, cfg Config) ([]*candidate, error) {
	base, err := gocv.NewMatFromBytes(g.h, g.w, gocv.MatTypeCV8U, g.pix)
	if err != nil {
		return nil, err
	}
	defer base.Close()
	blur := gocv.NewMat()
	defer blur.Close()
	gocv.GaussianBlur(base, &blur, image.Pt(3, 3), 0, 0, gocv.BorderReflect101)

	kernel := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(cfg.GroupGap+1, cfg.GroupGap+1))
	defer kernel.Close()
	bin := gocv.NewMat()
	defer bin.Close()
	dil := gocv.NewMat()
	defer dil.Close()
	labels := gocv.NewMat()
	defer labels.Close()
	stats := gocv.NewMat()
	defer stats.Close()
	cents := gocv.NewMat()
	defer cents.Close()
	dlabels := gocv.NewMat()
	defer dlabels.Close()

	seen := make(map[boxKey]bool)
	var out []*candidate
	for li, s := range cfg.Pyramid {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		w, h := int(float64(g.w)*s+0.5), int(float64(g.h)*s+0.5)
		if min(w, h) < cfg.MinSide {
			break
		}
		level := gocv.NewMat()
		if s == 1 {
			blur.CopyTo(&level)
		} else {
			gocv.Resize(blur, &level, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
		}
		// Size window of this level, in its own pixels: the finest level
		// sees small marks, coarser levels only what is too big below.
		minL := cfg.MinSide
		if li > 0 {
			minL = cfg.LevelMaxSide * 2 / 5
		}
		maxL := cfg.LevelMaxSide
		if li == len(cfg.Pyramid)-1 {
			maxL = max(w, h)
		}
		for t := cfg.LevelStep; t < 256; t += cfg.LevelStep {
			for _, typ := range []gocv.ThresholdType{gocv.ThresholdBinary, gocv.ThresholdBinaryInv} {
				gocv.Threshold(level, &bin, float32(t), 255, typ)
				binPix, err := bin.DataPtrUint8()
				if err != nil {
					level.Close()
					return nil, err
				}
				// Raw components.
				n := gocv.ConnectedComponentsWithStats(bin, &labels, &stats, &cents)
				lab := int32s(&labels)
				st := int32s(&stats)
				for k := 1; k < n; k++ {
					x, y, bw, bh := int(st[5*k]), int(st[5*k+1]), int(st[5*k+2]), int(st[5*k+3])
					kk := int32(k)
					out = addCandidate(out, seen, cfg, s, w, h, minL, maxL, x, y, bw, bh, int(st[5*k+4]), func(px, py int) bool {
						return lab[py*w+px] == kk
					})
				}
				// Grouped components: close small gaps between letters and
				// parts, but keep only the pixels that were on.
				gocv.Dilate(bin, &dil, kernel)
				n = gocv.ConnectedComponentsWithStats(dil, &dlabels, &stats, &cents)
				dlab := int32s(&dlabels)
				st = int32s(&stats)
				for k := 1; k < n; k++ {
					x, y, bw, bh := int(st[5*k]), int(st[5*k+1]), int(st[5*k+2]), int(st[5*k+3])
					kk := int32(k)
					out = addCandidate(out, seen, cfg, s, w, h, minL, maxL, x, y, bw, bh, int(st[5*k+4]), func(px, py int) bool {
						i := py*w + px
						return dlab[i] == kk && binPix[i] != 0
					})
				}
			}
		}
		level.Close()
	}
	return out, nil
}

func addCandidate(out []*candidate, seen map[boxKey]bool, cfg Config, s float64, w, h, minL, maxL, x, y, bw, bh, area int, in func(x, y int) bool) []*candidate {
	L := max(bw, bh)
	if L < minL || L > maxL || area < cfg.MinArea {
		return out
	}
	if bw > w*9/10 && bh > h*9/10 {
		return out // the background
	}
	// Working-raster box and a de-duplication key tolerant to a few pixels.
	box := image.Rect(int(float64(x)/s), int(float64(y)/s), int(float64(x+bw)/s+0.999), int(float64(y+bh)/s+0.999))
	q := max(2, max(box.Dx(), box.Dy())/16)
	key := boxKey{(box.Min.X + q/2) / q, (box.Min.Y + q/2) / q, (box.Max.X + q/2) / q, (box.Max.Y + q/2) / q, q}
	if seen[key] {
		return out
	}
	seen[key] = true
	src := maskSource{x0: x, y0: y, w: bw, h: bh, in: in}
	mo, ok := measure(src)
	if !ok || mo.area < float64(cfg.MinArea) {
		return out
	}
	// Solid boxes and long lines are never marks on their own.
	fill := mo.area / float64(bw*bh)
	if fill > 0.97 {
		return out
	}
	return append(out, &candidate{box: box, mo: mo, view: newShapeView(rasterize(src, mo, 0))})
}

// int32s views a CV_32S Mat's data as []int32, without copying. The slice is
// valid while the Mat is neither closed nor reallocated.
func int32s(m *gocv.Mat) []int32 {
	b, err := m.DataPtrUint8()
	if err != nil || len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&b[0])), len(b)/4)
}
