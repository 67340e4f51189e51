package logo

import (
	"context"
	"image"

	"gocv.io/x/gocv"
)

// This file holds the third candidate-region generator: a threshold ladder
// on the two colour axes of CIE Lab (a*: green to red, b*: blue to
// yellow). A saturated mark drawn straight onto a photo is often as bright
// as what lies around it, or lies across light and dark parts of it, so no
// grey threshold cuts it out; and when it is small or its background is
// textured, the flat colour zones lose it too (its strokes are a pixel or
// two of the colour raster, all edge ramp, and texture of nearly its
// colour chains into it). On a colour axis the mark stands apart from a
// grey or differently hued background at any size: photos' colour
// channels are smoother than their luminance, so a cut between the mark's
// a* (or b*) and its surround's separates it. Like the grey ladder, the
// cuts are labelled from runs (runs.go), in both polarities, alone and
// grouped like letters.

// chromaLevels returns the ladder's thresholds on an 8-bit Lab axis
// (neutral at 128): 128 ± step, ± 2 step, ... within the axis' range.
func chromaLevels(step int) []uint8 {
	var ls []uint8
	for d := step; d <= 96; d += step {
		ls = append(ls, uint8(128-d), uint8(128+d))
	}
	return ls
}

// chromaPlanes returns the a* and b* planes of c (8-bit Lab, neutral at
// 128), the rasters the chroma ladders cut.
func chromaPlanes(c rgbImage) ([2][]uint8, error) {
	var planes [2][]uint8
	m, err := gocv.NewMatFromBytes(c.h, c.w, gocv.MatTypeCV8UC3, c.pix)
	if err != nil {
		return planes, err
	}
	defer m.Close()
	lab := gocv.NewMat()
	defer lab.Close()
	gocv.CvtColor(m, &lab, gocv.ColorRGBToLab)
	px, err := lab.DataPtrUint8()
	if err != nil {
		return planes, err
	}
	n := c.w * c.h
	for axis := range planes {
		plane := make([]uint8, n)
		for i := range n {
			plane[i] = px[3*i+1+axis]
		}
		planes[axis] = plane
	}
	return planes, nil
}

// chromaCandidates finds the regions of the a* and b* ladders of c (the
// colour raster, not smoothed: see photoCandidates) whose working box
// seen does not hold yet; toWork maps c's pixels to the working raster's
// (>= 1). The regions are colour regions: their masks are over c, for
// verification.
func chromaCandidates(ctx context.Context, c rgbImage, toWork float64, cfg Config, seen map[boxKey]bool) ([]*candidate, error) {
	planes, err := chromaPlanes(c)
	if err != nil {
		return nil, err
	}
	cc := cfg.colourLimits(toWork)
	levels := chromaLevels(cfg.ChromaStep)
	var out []*candidate
	emit := func(mask []uint8, box image.Rectangle, nested bool) {
		out = addColourCandidate(out, mask, box, toWork, cc, seen, nested)
	}
	for _, plane := range planes {
		if err := ladderRegions(ctx, plane, c.w, c.h, levels, cc, make(map[boxKey]bool), emit); err != nil {
			return nil, err
		}
	}
	return out, nil
}
