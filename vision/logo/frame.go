package logo

// This file holds the frame check of a shape match. A region whose ink runs
// along the edge of the picture is an object the frame cuts off (a ring whose
// lower half is outside the photo becomes an arch, a long dark object cut by
// the side becomes a swoosh): its outline there is the frame's, not its own,
// so what its silhouette fits says nothing about a printed mark. A mark the
// picture shows whole keeps clear of the frame or touches it at a tip; a
// picture that is the mark itself spans the frame (frameLike) and is not
// checked.

// frameCut returns how many of the region's mask pixels lie on the outermost
// rows and columns of the raster it was cut from, over the shorter side of
// its box: 0 for a region inside the picture, about 1 for a band that runs
// out of it, about sqrt(2/r) for a disc of radius r that dips a pixel into
// the frame.
func frameCut(c *candidate, w, h int) float64 {
	sb := c.src
	if sb.Empty() || len(c.mask) < sb.Dx()*sb.Dy() {
		return 0
	}
	bw, n := sb.Dx(), 0
	on := func(x, y int) bool { return c.mask[(y-sb.Min.Y)*bw+x-sb.Min.X] != 0 }
	for x := max(sb.Min.X, 0); x < min(sb.Max.X, w); x++ {
		if sb.Min.Y == 0 && on(x, 0) {
			n++
		}
		if sb.Max.Y == h && h > 1 && on(x, h-1) {
			n++
		}
	}
	for y := max(sb.Min.Y, 1); y < min(sb.Max.Y, h-1); y++ {
		if sb.Min.X == 0 && on(0, y) {
			n++
		}
		if sb.Max.X == w && w > 1 && on(w-1, y) {
			n++
		}
	}
	return float64(n) / float64(min(sb.Dx(), sb.Dy()))
}

// cutByFrame reports whether region c is cut off by the picture's frame
// (see frameCut and [Config.FrameCutMax]); g and col are the rasters grey
// and colour regions are cut from.
func (cfg Config) cutByFrame(c *candidate, g grayImage, col rgbImage) bool {
	w, h := g.w, g.h
	if c.colour {
		w, h = col.w, col.h
	}
	return cfg.FrameCutMax > 0 && !frameLike(c.src, w, h) && frameCut(c, w, h) > cfg.FrameCutMax
}
