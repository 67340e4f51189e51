package logo

import (
	"encoding/binary"
	"errors"
	"image"
	"math"

	"gocv.io/x/gocv"
)

// The feature route: SIFT keypoints, Lowe's ratio test and a RANSAC
// homography, for textured references (packaging, multi-tone emblems). Flat
// one-colour marks give too few stable keypoints for it and use the shape
// route instead.

// featMaxSide bounds the raster features are computed at, for references and
// scenes alike.
const featMaxSide = 800

// refFeatures are a reference's keypoints and SIFT descriptors, kept in Go
// memory so a retired reference set needs no explicit freeing.
type refFeatures struct {
	w, h int // raster size the keypoints are in
	pts  []gocv.Point2f
	desc []byte // rows x 128 float32, as from Mat.ToBytes
}

// errFewFeatures is returned for a textured reference without enough texture.
var errFewFeatures = errors.New("too few local features in a textured reference")

func prepareFeatures(img image.Image, cfg Config) (*refFeatures, error) {
	g, _ := toGray(img, featMaxSide, false)
	m, err := gocv.NewMatFromBytes(g.h, g.w, gocv.MatTypeCV8U, g.pix)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	sift := gocv.NewSIFT()
	defer sift.Close()
	mask := gocv.NewMat()
	defer mask.Close()
	kps, desc := sift.DetectAndCompute(m, mask)
	defer desc.Close()
	if len(kps) < cfg.MinInliers*2 || desc.Empty() {
		return nil, errFewFeatures
	}
	f := &refFeatures{w: g.w, h: g.h, desc: desc.ToBytes()}
	for _, k := range kps {
		f.pts = append(f.pts, gocv.Point2f{X: float32(k.X), Y: float32(k.Y)})
	}
	return f, nil
}

// sceneFeatures are the SIFT keypoints of a scene, computed once per Detect.
type sceneFeatures struct {
	pts   []gocv.Point2f
	desc  gocv.Mat
	scale float64 // scene-feature raster pixels per caller pixel
}

func (s *sceneFeatures) Close() { _ = s.desc.Close() }

func computeSceneFeatures(g grayImage, scale float64) (*sceneFeatures, error) {
	m, err := gocv.NewMatFromBytes(g.h, g.w, gocv.MatTypeCV8U, g.pix)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	sift := gocv.NewSIFT()
	defer sift.Close()
	mask := gocv.NewMat()
	defer mask.Close()
	kps, desc := sift.DetectAndCompute(m, mask)
	s := &sceneFeatures{desc: desc, scale: scale}
	for _, k := range kps {
		s.pts = append(s.pts, gocv.Point2f{X: float32(k.X), Y: float32(k.Y)})
	}
	return s, nil
}

// matchFeatures verifies one textured reference against the scene. It returns
// the detection box in scene-feature raster pixels and the confidence, or
// ok=false.
func matchFeatures(r *prepared, s *sceneFeatures, matcher *gocv.BFMatcher, cfg Config) (box image.Rectangle, conf float64, ok bool) {
	f := r.feat
	if len(s.pts) < cfg.MinInliers || s.desc.Empty() {
		return box, 0, false
	}
	q, err := gocv.NewMatFromBytes(len(f.pts), 128, gocv.MatTypeCV32F, f.desc)
	if err != nil {
		return box, 0, false
	}
	defer q.Close()
	knn := matcher.KnnMatch(q, s.desc, 2)
	var src, dst []gocv.Point2f
	for _, m := range knn {
		if len(m) < 2 || m[0].Distance >= cfg.RatioTest*m[1].Distance {
			continue
		}
		src = append(src, f.pts[m[0].QueryIdx])
		dst = append(dst, s.pts[m[0].TrainIdx])
	}
	if len(src) < cfg.MinInliers {
		return box, 0, false
	}
	srcM := pointsMat(src)
	defer srcM.Close()
	dstM := pointsMat(dst)
	defer dstM.Close()
	inl := gocv.NewMat()
	defer inl.Close()
	H := gocv.FindHomography(srcM, &dstM, gocv.HomograpyMethodRANSAC, 4, &inl, 2000, 0.995)
	defer H.Close()
	if H.Empty() {
		return box, 0, false
	}
	inliers := gocv.CountNonZero(inl)
	if inliers < cfg.MinInliers || float64(inliers) < 0.25*float64(len(src)) {
		return box, 0, false
	}
	// Sanity of the homography: the projected reference outline must be a
	// convex, non-degenerate quadrilateral of sensible size.
	var hv [9]float64
	for i := range 9 {
		hv[i] = H.GetDoubleAt(i/3, i%3)
	}
	corners := [4][2]float64{{0, 0}, {float64(f.w), 0}, {float64(f.w), float64(f.h)}, {0, float64(f.h)}}
	var quad [4][2]float64
	for i, c := range corners {
		z := hv[6]*c[0] + hv[7]*c[1] + hv[8]
		if z <= 1e-6 {
			return box, 0, false
		}
		quad[i] = [2]float64{(hv[0]*c[0] + hv[1]*c[1] + hv[2]) / z, (hv[3]*c[0] + hv[4]*c[1] + hv[5]) / z}
	}
	if !convexQuad(quad) {
		return box, 0, false
	}
	area := quadArea(quad)
	refArea := float64(f.w * f.h)
	if area < 400 || area/refArea > 16 || area/refArea < 1.0/400 {
		return box, 0, false
	}
	// Opposite sides of a mildly tilted plane have comparable lengths.
	side := func(a, b [2]float64) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }
	for i := range 2 {
		a, b := side(quad[i], quad[i+1]), side(quad[i+2], quad[(i+3)%4])
		if math.Min(a, b) < 0.33*math.Max(a, b) {
			return box, 0, false
		}
	}
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range quad {
		x0, y0 = math.Min(x0, p[0]), math.Min(y0, p[1])
		x1, y1 = math.Max(x1, p[0]), math.Max(y1, p[1])
	}
	box = image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1)))
	// Confidence: a logistic in the inlier count, calibrated so that the
	// minimum accepted count sits near 0.5 and 3x that near 0.97.
	conf = sigmoid(float64(inliers-cfg.MinInliers) / (float64(cfg.MinInliers) / 2.5))
	return box, clamp01(conf), true
}

// pointsMat packs points into an n x 1 CV_32FC2 Mat for FindHomography.
func pointsMat(p []gocv.Point2f) gocv.Mat {
	b := make([]byte, 0, 8*len(p))
	for _, q := range p {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(q.X))
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(q.Y))
	}
	m, err := gocv.NewMatFromBytes(len(p), 1, gocv.MatTypeCV32FC2, b)
	if err != nil {
		return gocv.NewMat()
	}
	return m
}

func convexQuad(q [4][2]float64) bool {
	sign := 0.0
	for i := range 4 {
		a, b, c := q[i], q[(i+1)%4], q[(i+2)%4]
		cr := (b[0]-a[0])*(c[1]-b[1]) - (b[1]-a[1])*(c[0]-b[0])
		if math.Abs(cr) < 1e-9 {
			return false
		}
		if sign == 0 {
			sign = cr
		} else if sign*cr < 0 {
			return false
		}
	}
	return true
}

func quadArea(q [4][2]float64) float64 {
	s := 0.0
	for i := range 4 {
		a, b := q[i], q[(i+1)%4]
		s += a[0]*b[1] - b[0]*a[1]
	}
	return math.Abs(s) / 2
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }
