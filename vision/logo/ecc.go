package logo

import (
	"image"
	"image/color"
	"math"
	"time"

	"gocv.io/x/gocv"

	"counterlens/vision/internal/ecc"
)

// This file holds the grey alignment of a shape match. The matcher
// compares silhouettes on a 64×64 raster; a thin wordmark under blur and
// perspective, or a detailed disc, fits its own reference there hardly
// better than a fill reference fits the blurred blob. The photo's grey
// levels at the mark's pose can tell them apart: the reference's
// silhouette, rendered as a grey template in the region's polarity with a
// margin of ground, is aligned on the working grey raster by OpenCV's
// enhanced correlation coefficient (ECC, Evangelidis & Psarakis 2008) with
// a homography, started from the pose the matcher found (see bestPose).
// The coefficient is invariant to the mark's contrast and brightness.
// Read inside the mark's filled outline (see filledOutline), a print of
// the mark correlates highly, a look-alike blob (the outline filled, a
// fold of cloth) does not, having no inner gaps and strokes; over the
// whole template the ground around the outline dominates and both read
// high. The learned decision reads it for the match's reference and for
// the brand that scored second on the region, to decide between brands
// the silhouettes could not tell apart (see decideShape).

// eccSide is the longer side, in pixels, of a reference's grey template
// (the silhouette area-averaged: 0 ground, 255 ink), kept in the prepared
// reference and its descriptor.
const eccSide = 96

// eccMinSide is the least longer side the template is aligned at: a mark
// smaller in the photo is still compared at this size (the photo is
// sampled finer), since a template of a few hundred pixels correlates
// with anything.
const eccMinSide = 40

// eccMargin is the ground kept around the template's mark, as a share of
// its longer side: the correlation must see ink and ground.
const eccMargin = 0.12

// eccMinContrast is the least step of grey between the photo under the
// template's ink and under its ground, at the starting pose, for the
// alignment to be read.
const eccMinContrast = 8.0

// eccTemplateSigma is the Gaussian blur, in pixels of the working
// raster, put on the template: photos are rarely sharper.
const eccTemplateSigma = 1.0

// eccCoarseMin is the least shorter side, in pixels, of the template
// (with its margin) at a coarse level of the alignment's pyramid.
const eccCoarseMin = 16

// eccIters and eccEps stop the ECC iteration; eccBlur is the side of the
// Gaussian OpenCV blurs template and photo with first.
const (
	eccIters = 40
	eccEps   = 1e-4
	eccBlur  = 5
)

// eccMaxDrift is how far the aligned template's centre may move from its
// start, over the mark's longer side, and eccMaxZoom how much its area may
// change (either way), for the alignment to count as the same pose.
const (
	eccMaxDrift = 0.35
	eccMaxZoom  = 1.8
)

// eccTemplate is a reference's silhouette area-averaged to at most
// eccSide pixels on its longer side; sx and sy are its pixels per pixel of
// the trimmed mask the reference's moments are measured on.
type eccTemplate struct {
	w, h   int
	pix    []uint8
	sx, sy float64
}

// newECCTemplate renders the trimmed mask src (non-zero on) as an
// eccTemplate.
func newECCTemplate(src maskSource) eccTemplate {
	k := math.Min(1, float64(eccSide)/float64(max(src.w, src.h)))
	t := eccTemplate{w: max(1, int(math.Round(float64(src.w)*k))), h: max(1, int(math.Round(float64(src.h)*k)))}
	t.sx, t.sy = float64(t.w)/float64(src.w), float64(t.h)/float64(src.h)
	// An area average of the mask: every template pixel is the share of
	// the mask pixels it covers that are on.
	acc := make([]float64, t.w*t.h)
	for y := range src.h {
		ty0, ty1 := float64(y)*t.sy, float64(y+1)*t.sy
		for x := range src.w {
			if src.pix[y*src.w+x] == 0 {
				continue
			}
			tx0, tx1 := float64(x)*t.sx, float64(x+1)*t.sx
			for ty := int(ty0); ty < t.h && float64(ty) < ty1; ty++ {
				hy := math.Min(ty1, float64(ty+1)) - math.Max(ty0, float64(ty))
				for tx := int(tx0); tx < t.w && float64(tx) < tx1; tx++ {
					hx := math.Min(tx1, float64(tx+1)) - math.Max(tx0, float64(tx))
					acc[ty*t.w+tx] += hx * hy
				}
			}
		}
	}
	t.pix = make([]uint8, len(acc))
	for i, a := range acc {
		t.pix[i] = uint8(math.Round(255 * math.Min(1, a)))
	}
	return t
}

// affine2 maps a point: (a[0]x + a[1]y + a[2], a[3]x + a[4]y + a[5]).
type affine2 [6]float64

func (a affine2) at(x, y float64) (float64, float64) {
	return a[0]*x + a[1]*y + a[2], a[3]*x + a[4]*y + a[5]
}

// regionFrame returns the map from a cell offset of region c's view (in
// grid units times cellSize, from the grid centre) to an offset from its
// centroid in pixels of the raster it was cut from: its round frame, or
// its whitened principal frame when aligned (see rasterize and
// rasterizeAligned), with how many of those pixels a cell spans.
func regionFrame(c *candidate, aligned bool) (M [4]float64, perCell float64) {
	if aligned {
		a := -c.mo.theta * math.Pi / 180
		cos, sin := math.Cos(a), math.Sin(a)
		s1, s2 := math.Sqrt(c.mo.l1)*alignedSpread, math.Sqrt(c.mo.l2)*alignedSpread
		return [4]float64{cos * s1, sin * s2, -sin * s1, cos * s2}, cellSize * math.Sqrt(s1*s2)
	}
	return [4]float64{c.mo.radius, 0, 0, c.mo.radius}, cellSize * c.mo.radius
}

// refPose returns the map from a pixel of reference r's trimmed mask
// (corner coordinates, the frame its moments are in) to a pixel of the
// working grey raster g, at the pose the matcher found for region c (see
// bestPose); false when there is none.
func refPose(c *candidate, r *prepared, g grayImage, col rgbImage) (affine2, bool) {
	p, ok := bestPose(c, r)
	if !ok {
		return affine2{}, false
	}
	// The reference's view: grid offset = A·(q − centroid).
	var A [4]float64
	if p.aligned {
		a := -r.mo.theta * math.Pi / 180
		if p.v == &r.aligned[1] {
			a += math.Pi
		}
		cos, sin := math.Cos(a), math.Sin(a)
		k1, k2 := 1/math.Sqrt(r.mo.l1)/alignedSpread, 1/math.Sqrt(r.mo.l2)/alignedSpread
		A = [4]float64{k1 * cos, -k1 * sin, k2 * sin, k2 * cos}
	} else {
		i := 0
		for i < numAngles && p.v != &r.views[i] {
			i++
		}
		if i == numAngles {
			return affine2{}, false
		}
		a := angleAt(i) * math.Pi / 180
		cos, sin := math.Cos(a), math.Sin(a)
		k := 1 / r.mo.radius
		A = [4]float64{k * cos, -k * sin, k * sin, k * cos}
	}
	M, _ := regionFrame(c, p.aligned)
	sx, sy := 1.0, 1.0
	if c.colour {
		if col.w == 0 || col.h == 0 {
			return affine2{}, false
		}
		sx, sy = float64(g.w)/float64(col.w), float64(g.h)/float64(col.h)
	}
	// pixel = S·(src.Min + centroid + M·(A·(q − r's centroid) − d·cellSize)),
	// the region's cell being the reference's less (dx, dy) (see gapLevel).
	L := [4]float64{
		M[0]*A[0] + M[1]*A[2], M[0]*A[1] + M[1]*A[3],
		M[2]*A[0] + M[3]*A[2], M[2]*A[1] + M[3]*A[3],
	}
	ddx, ddy := float64(p.dx)*cellSize, float64(p.dy)*cellSize
	tx := float64(c.src.Min.X) + c.mo.cx - (M[0]*ddx + M[1]*ddy) - (L[0]*r.mo.cx + L[1]*r.mo.cy)
	ty := float64(c.src.Min.Y) + c.mo.cy - (M[2]*ddx + M[3]*ddy) - (L[2]*r.mo.cx + L[3]*r.mo.cy)
	return affine2{sx * L[0], sx * L[1], sx * tx, sy * L[2], sy * L[3], sy * ty}, true
}

// eccAlignment is what eccScore reads: the correlation coefficient of
// the aligned template over all of it (rho) and over its filled outline
// only (inner, when innerOK; see filledOutline).
type eccAlignment struct {
	rho, inner float64
	innerOK    bool
	// startInner is the inner correlation at the start, read in study
	// only.
	startInner float64
	// colour is set when the photo was read along its step of colour
	// (see projectedGrey); why says why the alignment was not read.
	colour bool
	why    eccWhy
}

// eccWhy is why an alignment was not read.
type eccWhy uint8

// Reasons for not reading an alignment.
const (
	eccReadOK eccWhy = iota
	eccNoPose
	eccNoContrast
	eccTooSmall
	eccNoConvergence
	eccLeftPose
	eccNoInner
)

// eccScore aligns reference r's grey template on the working grey raster
// g around region c, starting from the matcher's pose, and returns the
// correlation coefficient it reaches; ok is false when the alignment
// cannot be read: no pose, no grey contrast between the photo under the
// template's ink and under its ground, no convergence, or a result that
// left the pose (see eccMaxDrift). Outside study it is not run for a
// reference whose template has no inner correlation to read (see
// filledOutlineOf), and the start's inner correlation is not read.
//
// byInk reads a colour region by nearness to its ink colour where that
// sets it apart from its ground better than luminance (see
// regionInkReading and Config.GreyByInk).
//
// fine, when not nil, is the fine outline's pose of r on c as a map from
// the stored template to g (finePoseFit.templateToGrey). ECC converges
// only from a start within a stroke or so, and the matcher's pose is
// quantised to a cell and its angle step and knows no perspective; the
// fine pose has moved the outline onto the region's. Where the alignment
// from the matcher's pose does not converge or leaves it, it is run once
// more from the fine pose, and held to that pose. (Run also where the
// first reads no print, under nearGreyMin, it mended a few reads but
// doubled the alignments' time: most reads that low are of blobs.)
func eccScore(c *candidate, r *prepared, g grayImage, col rgbImage, study, byInk bool, fine *homography) (a eccAlignment, ok bool) {
	t := &r.tmpl
	if t.w == 0 || len(g.pix) < g.w*g.h || g.w == 0 {
		a.why = eccNoPose
		return a, false
	}
	P, ok := refPose(c, r, g, col)
	if !ok {
		a.why = eccNoPose
		return a, false
	}
	// The mark's size in the photo, and the size it is compared at.
	tw, th := float64(t.w)/t.sx, float64(t.h)/t.sy // the trimmed mask's size
	markL := math.Max(math.Hypot(P[0]*tw, P[3]*tw), math.Hypot(P[1]*th, P[4]*th))
	if markL < 4 {
		a.why = eccTooSmall
		return a, false
	}
	Lt := math.Min(float64(max(t.w, t.h)), math.Max(eccMinSide, markL))
	k := Lt / float64(max(t.w, t.h)) // working template pixels per stored one
	wm, hm := max(2, int(math.Round(float64(t.w)*k))), max(2, int(math.Round(float64(t.h)*k)))
	stx, sty := t.sx*float64(wm)/float64(t.w), t.sy*float64(hm)/float64(t.h) // per mask pixel
	m := max(4, int(math.Round(eccMargin*Lt)))
	f := math.Min(1, Lt/markL) // working photo pixels per grey pixel
	// plain maps a working template pixel (centre coordinates) to the
	// grey raster (corner coordinates) as the matcher's pose lays it.
	ox0, oy0 := P.at((0.5-float64(m))/stx, (0.5-float64(m))/sty)
	plain := homography{P[0] / stx, P[1] / sty, ox0, P[3] / stx, P[4] / sty, oy0, 0, 0, 1}
	W, H := wm+2*m, hm+2*m
	// The start: the matcher's pose, and for an elongated reference also
	// that pose turned by 180° (a wordmark's outline fits a region about
	// as well either way) and both sheared along the mark's short axis
	// (perspective leans a wordmark's letters; the whitened frame keeps
	// the lean), the matcher's turn also tapered as the matcher saw it
	// (see matcherTaper; tapering the turned one too gave the wrong turn
	// a fitted chance: a Coca-Cola of 200 px read 0.18). The one the
	// photo correlates with best, sampled, is kept: ECC converges only
	// from a start within a stroke or so.
	starts := []homography{plain}
	if r.aniso {
		cx, cy := P.at(r.mo.cx, r.mo.cy)
		turned := homography{-1, 0, 2 * cx, 0, -1, 2 * cy, 0, 0, 1}.after(plain)
		T0 := plain
		if flip, ok := alignedFlip(c, r); ok {
			if ab, ok := matcherTaper(c, r, flip); ok {
				T0 = plain.after(taperStart(r, t, k, m, ab))
			}
		}
		// The plain poses stay candidates: the matcher's choice of taper
		// is a silhouette's, and the photo's grey settles it (a Sony of
		// 426 px, seed 43, read 0.99 from the plain pose and 0.12 from
		// the tapered one, which it would pick alone).
		if T0 != plain {
			starts = []homography{T0, plain}
		}
		starts = append(starts, turned)
		ty := float64(H-1) / 2
		for _, s0 := range [2]homography{T0, turned} {
			for _, sh := range eccShears {
				// t → s0(tx + sh·(ty − centre), ty)
				starts = append(starts, s0.after(homography{1, sh, -sh * ty, 0, 1, 0, 0, 0, 1}))
			}
		}
	}
	idx := t.paddedIndex(k, m, wm, hm)
	pick := func(g greyWindow) (T homography, ink, ground float64) {
		best := 0.0
		for _, s := range starts {
			if i, gr, corr, ok := startLevels(t, &idx, s, g); ok && math.Abs(corr) > best {
				T, ink, ground, best = s, i, gr, math.Abs(corr)
			}
		}
		return T, ink, ground
	}
	gw := wholeWindow(g)
	Ts, ink, ground := pick(gw)
	if byInk && markL*float64(col.w)/float64(g.w) >= eccMinSide {
		// A colour region that stands out from its ground more by its
		// colour than by its luminance is read by nearness to its ink
		// colour (see regionInkReading), where a textured ground of other
		// colours lies flat, as the template's ground does; where the
		// colour raster (coarser than the grey one) holds the mark at the
		// least side it is compared at, eccMinSide: a smaller mark's
		// strokes blur there (a Coca-Cola of 66 px, seed 46, read
		// 0.90 by luminance and was lost by colour).
		if ir := regionInkReading(c, col); ir.byColour {
			gi := inkNearness(ir, starts, float64(W), float64(H), g, col, markL)
			if Ti, inkI, groundI := pick(gi); inkI-groundI >= eccMinContrast {
				gw, Ts, ink, ground, a.colour = gi, Ti, inkI, groundI, true
			}
		}
	}
	if math.Abs(ink-ground) < eccMinContrast {
		// A mark of another hue than its ground at about its lightness:
		// the photo is read along the step of colour from ground to ink
		// instead (see projectedGrey), where the colour raster has one.
		if col.w == 0 || col.h == 0 {
			a.why = eccNoContrast
			return a, false
		}
		inkC, groundC, ok := startColours(t, &idx, starts[0], col, g.w, g.h)
		if !ok {
			a.why = eccNoContrast
			return a, false
		}
		ox, oy, _ := Ts.at(0, 0)
		win := image.Rect(int(ox-2*markL), int(oy-2*markL), int(ox+3*markL), int(oy+3*markL))
		if gw, ok = projectedGrey(col, g.w, g.h, win, inkC, groundC); !ok {
			a.why = eccNoContrast
			return a, false
		}
		if Ts, ink, ground = pick(gw); math.Abs(ink-ground) < eccMinContrast {
			a.why = eccNoContrast
			return a, false
		}
		a.colour = true
	}
	// The crop: the template's extent at the start, widened by a third
	// of the mark.
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, q := range [4][2]float64{{0, 0}, {float64(W), 0}, {0, float64(H)}, {float64(W), float64(H)}} {
		x, y, _ := Ts.at(q[0]-0.5, q[1]-0.5)
		x0, y0, x1, y1 = math.Min(x0, x), math.Min(y0, y), math.Max(x1, x), math.Max(y1, y)
	}
	if math.IsInf(x1, 0) || math.IsInf(y1, 0) {
		a.why = eccNoPose
		return a, false
	}
	pad := markL / 3
	crop := image.Rect(int(x0-pad), int(y0-pad), int(math.Ceil(x1+pad)), int(math.Ceil(y1+pad))).Intersect(image.Rect(0, 0, g.w, g.h))
	if crop.Dx() < 8 || crop.Dy() < 8 {
		a.why = eccTooSmall
		return a, false
	}
	// The template: resized, inverted when the photo's ink is the darker,
	// in a margin of ground.
	stored, err := gocv.NewMatFromBytes(t.h, t.w, gocv.MatTypeCV8U, t.pix)
	if err != nil {
		a.why = eccNoPose
		return a, false
	}
	defer stored.Close()
	sized := gocv.NewMat()
	defer sized.Close()
	gocv.Resize(stored, &sized, image.Pt(wm, hm), 0, 0, gocv.InterpolationArea)
	if ink < ground {
		gocv.BitwiseNot(sized, &sized)
	}
	// The filled outline the inner correlation is read over; a mark
	// without enough ground inside it (a solid silhouette) has none, and
	// when only that matters the alignment is not run.
	o, err := filledOutlineOf(sized, m, Lt, ink < ground)
	if err != nil || !study && !o.readable {
		a.why = eccNoInner
		return a, false
	}
	tmpl := gocv.NewMat()
	defer tmpl.Close()
	var groundV uint8
	if ink < ground {
		groundV = 255
	}
	gocv.CopyMakeBorder(sized, &tmpl, m, m, m, m, gocv.BorderConstant, color.RGBA{R: groundV, G: groundV, B: groundV, A: groundV})
	// A mild blur like the photo's: about a pixel of the working raster,
	// less where the crop is area-averaged down.
	if s := eccTemplateSigma * f; s > 0.3 {
		gocv.GaussianBlur(tmpl, &tmpl, image.Pt(0, 0), s, s, gocv.BorderReplicate)
	}
	// The photo: the crop, area-averaged down to the template's scale.
	buf := gw.crop(crop)
	full, err := gocv.NewMatFromBytes(crop.Dy(), crop.Dx(), gocv.MatTypeCV8U, buf)
	if err != nil {
		a.why = eccTooSmall
		return a, false
	}
	defer full.Close()
	input := full
	fx, fy := 1.0, 1.0
	if f < 1 {
		cw, ch := max(8, int(math.Round(float64(crop.Dx())*f))), max(8, int(math.Round(float64(crop.Dy())*f)))
		fx, fy = float64(cw)/float64(crop.Dx()), float64(ch)/float64(crop.Dy())
		small := gocv.NewMat()
		defer small.Close()
		gocv.Resize(full, &small, image.Pt(cw, ch), 0, 0, gocv.InterpolationArea)
		input = small
	}
	// The start: template pixel centre → crop pixel centre.
	toInput := homography{fx, 0, -float64(crop.Min.X)*fx - 0.5, 0, fy, -float64(crop.Min.Y)*fy - 0.5, 0, 0, 1}
	toWarp := func(T homography) (w [9]float32) {
		h := toInput.after(T)
		for i := range h {
			w[i] = float32(h[i] / h[8])
		}
		return w
	}
	start := toWarp(Ts)
	levels := 1
	if min(W, H) >= 2*eccCoarseMin {
		levels = 2
	}
	// align runs ECC from start s and holds the result to it: centre and
	// area near the start's (the same pose refined).
	cx, cy := float64(W)/2-0.5, float64(H)/2-0.5
	align := func(s [9]float32) (warp [9]float32, rho float64, why eccWhy) {
		warp = s
		rho, err := ecc.Align(tmpl, input, &warp, levels, eccIters, eccEps, eccBlur)
		if err != nil || math.IsNaN(rho) {
			return warp, 0, eccNoConvergence
		}
		ax, ay, aj := homAt(s, cx, cy)
		bx, by, bj := homAt(warp, cx, cy)
		if aj <= 0 || bj <= 0 || math.Hypot(ax-bx, ay-by) > eccMaxDrift*markL*math.Sqrt(fx*fy) ||
			bj > eccMaxZoom*aj || aj > eccMaxZoom*bj {
			return warp, 0, eccLeftPose
		}
		return warp, rho, eccReadOK
	}
	warp, rho, why := align(start)
	if why != eccReadOK && fine != nil {
		// The working template's pixel (centres) → the stored
		// template's (corners) → g (fine) → the input's pixel (centres).
		toStored := homography{
			float64(t.w) / float64(wm), 0, (0.5 - float64(m)) * float64(t.w) / float64(wm),
			0, float64(t.h) / float64(hm), (0.5 - float64(m)) * float64(t.h) / float64(hm),
			0, 0, 1,
		}
		if h := toInput.after(*fine).after(toStored); h[8] > 1e-9 {
			var s [9]float32
			for i := range h {
				s[i] = float32(h[i] / h[8])
			}
			warp, rho, why = align(s)
		}
	}
	if why != eccReadOK {
		a.why = why
		return a, false
	}
	a.rho = rho
	a.inner, a.innerOK = o.correlation(tmpl, input, warp)
	if study {
		a.startInner, _ = o.correlation(tmpl, input, start)
	}
	return a, true
}

// eccInnerClose is the radius, over the template's longer side, of the
// closing that makes the template's filled outline (see filledOutlineOf).
const eccInnerClose = 0.05

// eccInnerMinGround is the least share of ground inside a template's
// filled outline for its inner correlation to be read.
const eccInnerMinGround = 0.1

// filledOutline is a working template's filled outline: its ink closed
// over gaps of eccInnerClose of its longer side and with holes filled
// (inside, over the template with its margin, W wide), with its ink
// (ink); readable is false when the outline holds less than
// eccInnerMinGround of ground: a mark without counters, gaps or inner
// strokes is its own filled outline.
type filledOutline struct {
	inside   []bool
	ink      []byte
	W, H     int
	readable bool
}

// filledOutlineOf returns the filledOutline of the template sized (before
// its margin m and blur, inverted when inv is set) whose longer side is Lt.
func filledOutlineOf(sized gocv.Mat, m int, Lt float64, inv bool) (filledOutline, error) {
	w, h := sized.Cols(), sized.Rows()
	pix := sized.ToBytes()
	o := filledOutline{W: w + 2*m, H: h + 2*m}
	o.ink = make([]byte, o.W*o.H)
	for y := range h {
		for x := range w {
			if (pix[y*w+x] >= 128) != inv {
				o.ink[(y+m)*o.W+x+m] = 255
			}
		}
	}
	src, err := gocv.NewMatFromBytes(o.H, o.W, gocv.MatTypeCV8U, o.ink)
	if err != nil {
		return o, err
	}
	defer src.Close()
	r := max(1, int(math.Round(eccInnerClose*Lt)))
	k := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(2*r+1, 2*r+1))
	defer k.Close()
	closed := gocv.NewMat()
	defer closed.Close()
	gocv.MorphologyEx(src, &closed, gocv.MorphClose, k)
	o.inside = fillHoles(closed.ToBytes(), o.W, o.H)
	var n, ground int
	for i, in := range o.inside {
		if in {
			n++
			if o.ink[i] == 0 {
				ground++
			}
		}
	}
	o.readable = n > 0 && float64(ground) >= eccInnerMinGround*float64(n)
	return o, nil
}

// correlation returns the correlation coefficient of the template tmpl
// (the working template with its margin and blur) and the photo input
// seen through warp, over the filled outline only: a print of the mark
// has its counters, gaps and inner strokes there; a blob with the mark's
// outline is one ink there and correlates with nothing. ok is false when
// the outline is not readable.
func (o filledOutline) correlation(tmpl, input gocv.Mat, warp [9]float32) (float64, bool) {
	if !o.readable {
		return 0, false
	}
	wm := gocv.NewMatWithSize(3, 3, gocv.MatTypeCV32F)
	defer wm.Close()
	for j, v := range warp {
		wm.SetFloatAt(j/3, j%3, v)
	}
	seen := gocv.NewMat()
	defer seen.Close()
	gocv.WarpPerspectiveWithParams(input, &seen, wm, image.Pt(o.W, o.H), gocv.InterpolationLinear|gocv.WarpInverseMap, gocv.BorderReplicate, color.RGBA{})
	tp, sp := tmpl.ToBytes(), seen.ToBytes()
	var r pearson
	for i, in := range o.inside {
		if in {
			r.add(float64(tp[i]), float64(sp[i]))
		}
	}
	return r.coeff(), true
}

// pearson accumulates pairs (a, b) for their correlation coefficient.
type pearson struct{ n, sa, sb, saa, sbb, sab float64 }

func (p *pearson) add(a, b float64) {
	p.n, p.sa, p.sb, p.saa, p.sbb, p.sab = p.n+1, p.sa+a, p.sb+b, p.saa+a*a, p.sbb+b*b, p.sab+a*b
}

// coeff is the correlation coefficient of the pairs added, 0 when either
// side does not vary.
func (p *pearson) coeff() float64 {
	va, vb := p.saa-p.sa*p.sa/p.n, p.sbb-p.sb*p.sb/p.n
	if va <= 0 || vb <= 0 {
		return 0
	}
	return (p.sab - p.sa*p.sb/p.n) / math.Sqrt(va*vb)
}

// fillHoles returns the pixels of the w*h mask pix (non-zero on) that are
// on or that the outside cannot reach through pixels off.
func fillHoles(pix []byte, w, h int) []bool {
	out := make([]bool, w*h) // reached from outside
	var stack []int
	push := func(i int) {
		if !out[i] && pix[i] == 0 {
			out[i] = true
			stack = append(stack, i)
		}
	}
	for x := range w {
		push(x)
		push((h-1)*w + x)
	}
	for y := range h {
		push(y * w)
		push(y*w + w - 1)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%w, i/w
		if x > 0 {
			push(i - 1)
		}
		if x < w-1 {
			push(i + 1)
		}
		if y > 0 {
			push(i - w)
		}
		if y < h-1 {
			push(i + w)
		}
	}
	for i := range out {
		out[i] = !out[i]
	}
	return out
}

// startColours returns the mean colours (RGB) of the colour raster col
// under the template's ink and under its margin, the template (t as pad
// indexes it) lying on the w x h grey raster through T as in startLevels;
// ok is false when either is read on fewer than 8 pixels.
func startColours(t *eccTemplate, pad *paddedIndex, T homography, col rgbImage, w, h int) (ink, ground [3]float64, ok bool) {
	sx, sy := float64(col.w)/float64(w), float64(col.h)/float64(h)
	var nInk, nGround float64
	for ty, row := range pad.rows {
		for tx, c := range pad.cols {
			v, inMark := t.indexed(row, c)
			if inMark && v < 224 {
				continue
			}
			x, y := T.point(float64(tx), float64(ty))
			if x < 0 || y < 0 || x*sx >= float64(col.w) || y*sy >= float64(col.h) {
				continue
			}
			p := col.pix[3*(int(y*sy)*col.w+int(x*sx)):]
			acc, n := &ground, &nGround
			if inMark {
				acc, n = &ink, &nInk
			}
			for j := range 3 {
				acc[j] += float64(p[j])
			}
			*n++
		}
	}
	if nInk < 8 || nGround < 8 {
		return ink, ground, false
	}
	for j := range 3 {
		ink[j] /= nInk
		ground[j] /= nGround
	}
	return ink, ground, true
}

// eccMinColourStep is the least colour step (Euclidean over RGB) between
// ink and ground for projectedGrey to read a mark by its colour.
const eccMinColourStep = 24.0

// projectedGrey returns a w x h grey raster whose pixels in win (grey
// raster pixels; the rest stay 0) read the colour raster col along the
// step from ground to ink: 0 at the ground's colour, 255 at the ink's;
// false when the two colours are too close to tell apart.
func projectedGrey(col rgbImage, w, h int, win image.Rectangle, ink, ground [3]float64) (greyWindow, bool) {
	d := [3]float64{ink[0] - ground[0], ink[1] - ground[1], ink[2] - ground[2]}
	n2 := d[0]*d[0] + d[1]*d[1] + d[2]*d[2]
	if n2 < eccMinColourStep*eccMinColourStep {
		return greyWindow{}, false
	}
	win = win.Intersect(image.Rect(0, 0, w, h))
	out := greyWindow{w: w, h: h, win: win, pix: make([]uint8, win.Dx()*win.Dy())}
	sx, sy := float64(col.w)/float64(w), float64(col.h)/float64(h)
	for y := win.Min.Y; y < win.Max.Y; y++ {
		cy := min(col.h-1, int((float64(y)+0.5)*sy))
		for x := win.Min.X; x < win.Max.X; x++ {
			cx := min(col.w-1, int((float64(x)+0.5)*sx))
			p := col.pix[3*(cy*col.w+cx):]
			v := ((float64(p[0])-ground[0])*d[0] + (float64(p[1])-ground[1])*d[1] + (float64(p[2])-ground[2])*d[2]) / n2
			out.pix[(y-win.Min.Y)*win.Dx()+x-win.Min.X] = roundLevel(255 * max(0, min(1, v)))
		}
	}
	return out, true
}

// inkReading is how a colour region is read (see regionInkReading): by
// nearness to its ink colour ink, falling to 0 at distance dist, when
// byColour; by luminance otherwise.
type inkReading struct {
	ink      [3]float64
	dist     float64
	byColour bool
}

// regionInkReading returns how colour region c is read by the grey
// alignment. Its ink is the mean colour of the colour raster col under
// its own mask, its ground the rest of its box (the gaps between its
// letters, its counters, its corners): the photo is read by nearness to
// the ink colour where the region stands out from that ground more by it
// than by luminance (Fisher's ratio: the squared step between the means
// over the sum of the variances), and its ground's mean distance from the
// ink is eccMinColourStep or more. A textured ground (a chessboard, fur,
// fruit) of other colours than the ink varies in luminance and lies far
// from the ink either way. The reading is the region's, whichever
// reference is aligned on it: the match's and the runner-up's
// correlations are read alike.
func regionInkReading(c *candidate, col rgbImage) (r inkReading) {
	if !c.colour || col.w == 0 || col.h == 0 || !c.src.In(image.Rect(0, 0, col.w, col.h)) {
		return r
	}
	bw := c.src.Dx()
	var n float64
	for y := c.src.Min.Y; y < c.src.Max.Y; y++ {
		for x := c.src.Min.X; x < c.src.Max.X; x++ {
			if c.mask[(y-c.src.Min.Y)*bw+x-c.src.Min.X] == 0 {
				continue
			}
			p := col.pix[3*(y*col.w+x):]
			for j := range 3 {
				r.ink[j] += float64(p[j])
			}
			n++
		}
	}
	if n < 8 {
		return r
	}
	for j := range 3 {
		r.ink[j] /= n
	}
	var lum, dist [2]meanVar // ground, ink
	for y := c.src.Min.Y; y < c.src.Max.Y; y++ {
		for x := c.src.Min.X; x < c.src.Max.X; x++ {
			on := 0
			if c.mask[(y-c.src.Min.Y)*bw+x-c.src.Min.X] != 0 {
				on = 1
			}
			p := col.pix[3*(y*col.w+x):]
			lum[on].add(0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2]))
			dist[on].add(colourDist(p, r.ink))
		}
	}
	if lum[0].n < 8 {
		return r
	}
	r.dist = dist[0].mean()
	r.byColour = r.dist >= eccMinColourStep && fisher(dist[0], dist[1]) > fisher(lum[0], lum[1])
	return r
}

// meanVar accumulates values for their mean and variance.
type meanVar struct{ n, s, ss float64 }

func (m *meanVar) add(v float64) { m.n, m.s, m.ss = m.n+1, m.s+v, m.ss+v*v }
func (m meanVar) mean() float64  { return m.s / m.n }
func (m meanVar) variance() float64 {
	mu := m.mean()
	return max(0, m.ss/m.n-mu*mu)
}

// fisher is Fisher's ratio of two samples: the squared step between their
// means over the sum of their variances (1 added: pixel levels are whole).
func fisher(a, b meanVar) float64 {
	d := a.mean() - b.mean()
	return d * d / (a.variance() + b.variance() + 1)
}

// colourDist is the Euclidean distance of the RGB pixel p from colour c.
func colourDist(p []uint8, c [3]float64) float64 {
	a, b, d := float64(p[0])-c[0], float64(p[1])-c[1], float64(p[2])-c[2]
	return math.Sqrt(a*a + b*b + d*d)
}

// inkNearness returns a grey raster of g's size that reads the colour
// raster col as r says: 255 at the ink's colour, falling linearly to 0 at
// r.dist from it, and 0 farther. Only the starts' extent (templates of
// W x H pixels), widened by a third of the mark (markL pixels of g), is
// read and stored; the rest is 0.
func inkNearness(r inkReading, starts []homography, W, H float64, g grayImage, col rgbImage, markL float64) greyWindow {
	sx, sy := float64(col.w)/float64(g.w), float64(col.h)/float64(g.h)
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range starts {
		for _, q := range [4][2]float64{{0, 0}, {W, 0}, {0, H}, {W, H}} {
			x, y, _ := s.at(q[0]-0.5, q[1]-0.5)
			x0, y0, x1, y1 = math.Min(x0, x), math.Min(y0, y), math.Max(x1, x), math.Max(y1, y)
		}
	}
	pad := markL / 3
	win := image.Rect(int(x0-pad), int(y0-pad), int(math.Ceil(x1+pad)), int(math.Ceil(y1+pad))).Intersect(image.Rect(0, 0, g.w, g.h))
	out := greyWindow{w: g.w, h: g.h, win: win, pix: make([]uint8, win.Dx()*win.Dy())}
	for y := win.Min.Y; y < win.Max.Y; y++ {
		cy := min(col.h-1, int((float64(y)+0.5)*sy))
		for x := win.Min.X; x < win.Max.X; x++ {
			cx := min(col.w-1, int((float64(x)+0.5)*sx))
			v := 1 - colourDist(col.pix[3*(cy*col.w+cx):], r.ink)/r.dist
			out.pix[(y-win.Min.Y)*win.Dx()+x-win.Min.X] = roundLevel(255 * max(0, v))
		}
	}
	return out
}

// matcherTaper returns the projective warp (a, b) of reference r's taper
// grid (see taperGridFor) whose tapered view, turned as flip says, region
// c fits best, when it fits better than the plain aligned view by more
// than taperCost, as the matcher compares them (see scoreRef).
func matcherTaper(c *candidate, r *prepared, flip int) ([2]float64, bool) {
	if len(r.tapered) == 0 {
		return [2]float64{}, false
	}
	bi, bs := -1, -1.0
	for i := range r.tapered {
		if s := maskTolerantF(c.aligned, &r.tapered[i][flip]); s > bs {
			bi, bs = i, s
		}
	}
	shifts := c.alignedShifted()
	if shiftPose(shifts, &r.tapered[bi][flip], true).score-taperCost <= shiftPose(shifts, &r.aligned[flip], true).score {
		return [2]float64{}, false
	}
	grid := taperGridFor(r.mo.ecc)
	if bi >= len(grid) {
		return [2]float64{}, false
	}
	return grid[bi], true
}

// taperStart returns the map of the working template's pixels (the stored
// template t scaled by k, in a margin of m) to themselves that warps the
// mark as warpProjective does by ab (n → n/(1 + a·n.u + b·n.v) in its
// principal frame) and puts it back into the template's whitened
// principal frame: the warped mark's centroid and covariance onto the
// template's own, as the tapered views are whitened (see taperedViews),
// so that the matcher's pose (the reference's moments laid on the
// region's) lays it on the region. Perspective makes a long mark's far end
// a third to a half shorter than its near one: from an affine start ECC
// locks the template's letters on the near end's larger ones.
func taperStart(r *prepared, t *eccTemplate, k float64, m int, ab [2]float64) homography {
	id := homography{1, 0, 0, 0, 1, 0, 0, 0, 1}
	// The template's ink, in working template pixels.
	type inkPix struct{ x, y, w float64 }
	var ink []inkPix
	for y := range t.h {
		for x := range t.w {
			if v := t.pix[y*t.w+x]; v > 0 {
				ink = append(ink, inkPix{float64(m) + (float64(x)+0.5)*k - 0.5, float64(m) + (float64(y)+0.5)*k - 0.5, float64(v)})
			}
		}
	}
	// mom returns the centroid and covariance of the ink mapped by h,
	// each pixel weighed by the area it is mapped to.
	mom := func(h homography) (cx, cy, m20, m02, m11 float64, ok bool) {
		var n, sx, sy, sxx, syy, sxy float64
		for _, p := range ink {
			x, y, sc := h.at(p.x, p.y)
			if math.IsInf(x, 0) {
				return 0, 0, 0, 0, 0, false
			}
			w := p.w * sc * sc
			n, sx, sy, sxx, syy, sxy = n+w, sx+w*x, sy+w*y, sxx+w*x*x, syy+w*y*y, sxy+w*x*y
		}
		if n == 0 {
			return 0, 0, 0, 0, 0, false
		}
		cx, cy = sx/n, sy/n
		return cx, cy, sxx/n - cx*cx, syy/n - cy*cy, sxy/n - cx*cy, true
	}
	c0x, c0y, a20, a02, a11, ok := mom(id)
	if !ok {
		return id
	}
	// The axis as the matcher's: the reference's own (the template's
	// moments may differ from it by the half turn atan2 leaves open).
	l1, l2, _ := eigen2(a20, a02, a11)
	th0 := r.mo.theta * math.Pi / 180
	if l2 <= 0 {
		return id
	}
	// The principal frame, the ends of a rectangle at ±1.
	cos, sin := math.Cos(th0), math.Sin(th0)
	su, sv := math.Sqrt(3*l1), math.Sqrt(3*l2)
	N := homography{cos / su, sin / su, -(cos*c0x + sin*c0y) / su, -sin / sv, cos / sv, (sin*c0x - cos*c0y) / sv, 0, 0, 1}
	Ni, ok := N.inverse()
	if !ok {
		return id
	}
	Pw := Ni.after(homography{1, 0, 0, 0, 1, 0, ab[0], ab[1], 1}).after(N)
	c1x, c1y, b20, b02, b11, ok := mom(Pw)
	if !ok {
		return id
	}
	k1, k2, th1 := eigen2(b20, b02, b11)
	if k2 <= 0 {
		return id
	}
	// The warped moments onto the template's: R(θ0)·S·R(θ1)ᵀ, the long
	// axis on the long axis, turned the shorter way.
	if d := th1 - th0; d > math.Pi/2 {
		th1 -= math.Pi
	} else if d < -math.Pi/2 {
		th1 += math.Pi
	}
	c1, s1 := math.Cos(th1), math.Sin(th1)
	g1, g2 := math.Sqrt(l1/k1), math.Sqrt(l2/k2)
	b00, b01 := cos*g1*c1+sin*g2*s1, cos*g1*s1-sin*g2*c1
	b10, b11_ := sin*g1*c1-cos*g2*s1, sin*g1*s1+cos*g2*c1
	B := homography{b00, b01, c0x - (b00*c1x + b01*c1y), b10, b11_, c0y - (b10*c1x + b11_*c1y), 0, 0, 1}
	return B.after(Pw)
}

// eigen2 returns the eigenvalues l1 >= l2 of the symmetric 2×2 matrix
// [m20 m11; m11 m02] and the angle of l1's axis, in radians.
func eigen2(m20, m02, m11 float64) (l1, l2, theta float64) {
	d := math.Sqrt(math.Max(0, (m20-m02)*(m20-m02)/4+m11*m11))
	return (m20+m02)/2 + d, (m20+m02)/2 - d, 0.5 * math.Atan2(2*m11, m20-m02)
}

// eccShears are the shears along its short axis (x moved by sh·y, in
// template pixels) an elongated reference's start is also tried at.
var eccShears = []float64{-0.3, -0.15, 0.15, 0.3}

// startLevels samples g where the template (stored t, scaled by k, in a
// margin of m pixels around its wm x hm, as pad indexes it) lies through
// T, and returns the mean grey levels under the template's ink and under
// its margin, and the correlation coefficient of template and photo; ok is
// false when ink or margin is read on fewer than 8 pixels.
func startLevels(t *eccTemplate, pad *paddedIndex, T homography, g greyWindow) (ink, ground, corr float64, ok bool) {
	var nInk, nGround float64
	var r pearson
	for ty, row := range pad.rows {
		for tx, col := range pad.cols {
			v, inMark := t.indexed(row, col)
			x, y := T.point(float64(tx), float64(ty))
			if x < 0 || y < 0 || x >= float64(g.w) || y >= float64(g.h) {
				continue
			}
			l := float64(g.at(int(x), int(y)))
			r.add(float64(v), l)
			switch {
			case v >= 224:
				ink, nInk = ink+l, nInk+1
			case !inMark:
				ground, nGround = ground+l, nGround+1
			}
		}
	}
	if nInk < 8 || nGround < 8 {
		return 0, 0, 0, false
	}
	return ink / nInk, ground / nGround, r.coeff(), true
}

// paddedIndex indexes the stored template t from the working one (t
// scaled by k into a wm x hm box with a margin of m ground pixels around
// it), once a column and once a row: the working pixel (tx, ty) on the
// mark's box reads t.pix[rows[ty] + cols[tx]] (see indexed), and one off
// it has rows[ty] or cols[tx] -1.
type paddedIndex struct{ cols, rows []int32 }

// indexed is the working template's grey level at the pixel of row and
// column index row and col (paddedIndex: 0 off the mark), and whether the
// pixel lies on the mark's box.
func (t *eccTemplate) indexed(row, col int32) (uint8, bool) {
	if row < 0 || col < 0 {
		return 0, false
	}
	return t.pix[int(row)+int(col)], true
}

func (t *eccTemplate) paddedIndex(k float64, m, wm, hm int) paddedIndex {
	p := paddedIndex{cols: make([]int32, wm+2*m), rows: make([]int32, hm+2*m)}
	for tx := range p.cols {
		p.cols[tx] = -1
		if tx >= m && tx < m+wm {
			p.cols[tx] = int32(min(t.w-1, int(float64(tx-m)/k)))
		}
	}
	for ty := range p.rows {
		p.rows[ty] = -1
		if ty >= m && ty < m+hm {
			p.rows[ty] = int32(min(t.h-1, int(float64(ty-m)/k)) * t.w)
		}
	}
	return p
}

// roundLevel is uint8(math.Round(x)) for a level x in [0, 255]: the
// whole part, up one from a half (x less its whole part is exact), without
// math.Round's call.
func roundLevel(x float64) uint8 {
	n := int(x)
	if x-float64(n) >= 0.5 {
		n++
	}
	return uint8(n)
}

// greyWindow is a w x h grey raster of which only the window win is
// stored (pix, win.Dx() pixels a row); the rest reads 0. The photo's
// raster is its own window; the colour readings (inkNearness,
// projectedGrey) store only the part of the photo they read.
type greyWindow struct {
	w, h int
	win  image.Rectangle
	pix  []uint8
}

// wholeWindow is g as a greyWindow.
func wholeWindow(g grayImage) greyWindow {
	return greyWindow{w: g.w, h: g.h, win: image.Rect(0, 0, g.w, g.h), pix: g.pix}
}

// at is the level at (x, y), inside the raster.
func (g *greyWindow) at(x, y int) uint8 {
	if x < g.win.Min.X || y < g.win.Min.Y || x >= g.win.Max.X || y >= g.win.Max.Y {
		return 0
	}
	return g.pix[(y-g.win.Min.Y)*g.win.Dx()+x-g.win.Min.X]
}

// crop returns a copy of the part r of the raster (inside it), r.Dx()
// pixels a row.
func (g *greyWindow) crop(r image.Rectangle) []uint8 {
	buf := make([]uint8, r.Dx()*r.Dy())
	in := r.Intersect(g.win)
	if in.Empty() {
		return buf
	}
	for y := in.Min.Y; y < in.Max.Y; y++ {
		src := g.pix[(y-g.win.Min.Y)*g.win.Dx()+in.Min.X-g.win.Min.X:]
		copy(buf[(y-r.Min.Y)*r.Dx()+in.Min.X-r.Min.X:(y-r.Min.Y)*r.Dx()+in.Max.X-r.Min.X], src)
	}
	return buf
}

// homAt maps (x, y) through the row-major homography h and returns the
// point with the determinant of h's Jacobian there (its local area scale).
func homAt(h [9]float32, x, y float64) (px, py, jac float64) {
	w := float64(h[6])*x + float64(h[7])*y + float64(h[8])
	if w <= 1e-9 {
		return 0, 0, 0
	}
	u := float64(h[0])*x + float64(h[1])*y + float64(h[2])
	v := float64(h[3])*x + float64(h[4])*y + float64(h[5])
	px, py = u/w, v/w
	// ∂(u/w)/∂x = (h0 − px·h6)/w, and so on.
	a, b := (float64(h[0])-px*float64(h[6]))/w, (float64(h[1])-px*float64(h[7]))/w
	c, d := (float64(h[3])-py*float64(h[6]))/w, (float64(h[4])-py*float64(h[7]))/w
	return px, py, a*d - b*c
}

// alignGrey runs eccScore, counting for the benchmark; rho and inner are
// -1 when not read.
func (d *Detector) alignGrey(c *candidate, r *prepared, g grayImage, col rgbImage, fine *homography) eccAlignment {
	t0 := time.Now()
	a, ok := eccScore(c, r, g, col, d.cfg.GreyAlign, d.cfg.GreyByInk, fine)
	d.eccRuns.Add(1)
	d.eccTime.Add(int64(time.Since(t0)))
	if !ok {
		a.rho = -1
	}
	if !ok || !a.innerOK {
		a.inner = -1
	}
	return a
}
