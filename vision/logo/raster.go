package logo

import (
	"image"
	"math"
)

// grayImage is an 8-bit grey raster with an optional alpha plane.
type grayImage struct {
	w, h  int
	pix   []uint8
	alpha []uint8 // nil when the source is opaque
}

// toGray converts img to grey, box-filtering it down so that its longer side
// is at most maxSide (0: no limit). Transparent pixels are composited onto
// white in pix; alpha is kept separately when keepAlpha is set. It returns the
// raster and the factor from source pixels to raster pixels (<= 1).
func toGray(img image.Image, maxSide int, keepAlpha bool) (grayImage, float64) {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	w, h, xmap := fitRaster(sw, sh, maxSide)
	if w == sw && h == sh {
		// Not scaled: a photo's luma plane is its grey raster as it is
		// (the box filter below would give the same bytes).
		switch src := img.(type) {
		case *image.YCbCr:
			out := grayImage{w: w, h: h, pix: make([]uint8, w*h)}
			for y := range h {
				copy(out.pix[y*w:(y+1)*w], src.Y[src.YOffset(b.Min.X, b.Min.Y+y):])
			}
			return out, 1
		case *image.Gray:
			out := grayImage{w: w, h: h, pix: make([]uint8, w*h)}
			for y := range h {
				copy(out.pix[y*w:(y+1)*w], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
			}
			return out, 1
		}
	}
	sumG := make([]uint32, w*h)
	sumA := make([]uint32, w*h)
	cnt := make([]uint32, w*h)
	opaque := true
	for y := range sh {
		dy := min(h-1, int(float64(y)*float64(h)/float64(sh))) * w
		switch src := img.(type) {
		case *image.YCbCr:
			row := src.Y[(y+b.Min.Y-src.Rect.Min.Y)*src.YStride-src.Rect.Min.X+b.Min.X:]
			for x := range sw {
				i := dy + xmap[x]
				sumG[i] += uint32(row[x]) * 255
				sumA[i] += 255
				cnt[i]++
			}
		case *image.Gray:
			row := src.Pix[src.PixOffset(b.Min.X, y+b.Min.Y):]
			for x := range sw {
				i := dy + xmap[x]
				sumG[i] += uint32(row[x]) * 255
				sumA[i] += 255
				cnt[i]++
			}
		case *image.RGBA:
			row := src.Pix[src.PixOffset(b.Min.X, y+b.Min.Y):]
			for x := range sw {
				p := row[4*x : 4*x+4]
				a := uint32(p[3])
				// premultiplied: composite on white = c + (255-a)
				g := (299*uint32(p[0]) + 587*uint32(p[1]) + 114*uint32(p[2])) / 1000
				i := dy + xmap[x]
				sumG[i] += (g + 255 - a) * 255
				sumA[i] += a * 255
				cnt[i]++
				if a != 255 {
					opaque = false
				}
			}
		case *image.NRGBA:
			row := src.Pix[src.PixOffset(b.Min.X, y+b.Min.Y):]
			for x := range sw {
				p := row[4*x : 4*x+4]
				a := uint32(p[3])
				g := (299*uint32(p[0]) + 587*uint32(p[1]) + 114*uint32(p[2])) / 1000
				i := dy + xmap[x]
				sumG[i] += g*a + 255*(255-a)
				sumA[i] += a * 255
				cnt[i]++
				if a != 255 {
					opaque = false
				}
			}
		default:
			for x := range sw {
				r, g, bb, a := img.At(x+b.Min.X, y+b.Min.Y).RGBA() // premultiplied, 16 bit
				lum := (299*r + 587*g + 114*bb) / 1000
				i := dy + xmap[x]
				sumG[i] += ((lum + 0xffff - a) >> 8) * 255
				sumA[i] += (a >> 8) * 255
				cnt[i]++
				if a != 0xffff {
					opaque = false
				}
			}
		}
	}
	out := grayImage{w: w, h: h, pix: make([]uint8, w*h)}
	if keepAlpha && !opaque {
		out.alpha = make([]uint8, w*h)
	}
	for i := range out.pix {
		c := cnt[i]
		if c == 0 {
			out.pix[i] = 255
			continue
		}
		out.pix[i] = uint8(min(255, (sumG[i]/c+127)/255))
		if out.alpha != nil {
			out.alpha[i] = uint8(min(255, (sumA[i]/c+127)/255))
		}
	}
	return out, float64(w) / float64(sw)
}

// fitRaster sizes the box-filtered raster of an sw x sh image whose longer
// side must be at most maxSide (0: no limit), and maps each source column
// to its raster column.
func fitRaster(sw, sh, maxSide int) (w, h int, xmap []int) {
	scale := 1.0
	if maxSide > 0 && max(sw, sh) > maxSide {
		scale = float64(maxSide) / float64(max(sw, sh))
	}
	w = max(1, int(math.Round(float64(sw)*scale)))
	h = max(1, int(math.Round(float64(sh)*scale)))
	xmap = make([]int, sw)
	for x := range sw {
		xmap[x] = min(w-1, int(float64(x)*float64(w)/float64(sw)))
	}
	return w, h, xmap
}

// otsu returns the Otsu threshold of the values selected by keep (nil: all).
func otsu(pix []uint8, keep func(i int) bool) int {
	var hist [256]float64
	total := 0.0
	if keep == nil {
		// All values: counted in four tables (consecutive pixels often
		// share a value, and one table's increments would wait on each
		// other), then added. The counts are integers, so the float
		// table is the same as counting into it one by one.
		var h4 [4][256]uint32
		i := 0
		for ; i+4 <= len(pix); i += 4 {
			h4[0][pix[i]]++
			h4[1][pix[i+1]]++
			h4[2][pix[i+2]]++
			h4[3][pix[i+3]]++
		}
		for ; i < len(pix); i++ {
			h4[0][pix[i]]++
		}
		for v := range hist {
			hist[v] = float64(h4[0][v] + h4[1][v] + h4[2][v] + h4[3][v])
		}
		total = float64(len(pix))
	} else {
		for i, v := range pix {
			if keep(i) {
				hist[v]++
				total++
			}
		}
	}
	if total == 0 {
		return 128
	}
	var sum float64
	for i, c := range hist {
		sum += float64(i) * c
	}
	var sumB, wB, best float64
	t := 128
	for i := range 256 {
		wB += hist[i]
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(i) * hist[i]
		mB := sumB / wB
		mF := (sum - sumB) / wF
		v := wB * wF * (mB - mF) * (mB - mF)
		if v > best {
			best, t = v, i
		}
	}
	return t
}
