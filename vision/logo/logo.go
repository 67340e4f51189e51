// Package logo finds registered brand marks inside listing photos.
//
// Two routes verify a reference against a scene:
//
//   - "shape", for flat marks (one colour on transparency or a plain
//     background, which is what most registered marks are). The scene is cut
//     into candidate regions once per photo: connected components of a
//     grey-level threshold ladder in both polarities (and of chroma ladders
//     and flat colour zones), alone, grouped with neighbours by relative gap
//     (letters), and with the parts inside their holes (a ring and its
//     letters). Each region and each reference is normalised by its own
//     moments into a 64x64 bit raster (translation, scale, colour and polarity
//     drop out); references are pre-rendered at every angle in ±36°, and
//     elongated ones (wordmarks) also in their whitened principal frame. A
//     pair is scored by the IoU of the silhouettes and the IoU of their
//     concavities (hull minus mark), which is what separates a swoosh from any
//     other curved blob. Eccentricity, a rotation-invariant radial profile, a
//     cap on the overlap from cell counts per ring (exact, see ringbound.go),
//     principal-axis angle and an 8x8 hash shortlist references before the
//     bitwise IoU (still a linear pass over the references, each reference's
//     views read once a photo). A few regions a photo that fit a reference
//     just under its midpoint get a second look (nearMatches), reported only
//     where the reference's grey template aligned on the photo reads its
//     inner strokes (see decideShape).
//   - "features", for textured references (packaging, multi-tone emblems):
//     SIFT, Lowe's ratio test and a RANSAC homography with sanity checks on
//     the projected outline.
//
// A shape match worth reporting is verified by its outline first (see
// verify.go): a printed mark ends at a step of colour, a threshold cut
// through shading or texture does not.
//
// A shape match's confidence is the probability of a logistic model fitted
// on the benchmark's training seeds (decide.go) over the evidence about it:
// how far its score clears the reference's midpoint (above what that
// reference scores by chance on an embedded corpus of mark-free photos and
// of letters and digits, and higher for small regions), its margins over
// other brands, its outline, gaps and context, how finely its outline fits
// the reference's and the runner-up's (see fine.go), how the inside of a
// reference that is a ring with parts fits the region's (see inner.go: a
// ring whose inside fits under half is not reported), and its grey levels.
// For features it is a logistic of the inlier count.
package logo

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"math/bits"
	"sort"
	"sync"
	"sync/atomic"

	"gocv.io/x/gocv"
)

// Reference is a registered brand mark.
type Reference struct {
	LogoID, BrandID string
	// Image is the rights holder's upload, decoded. It may have alpha; flat
	// marks are typically one colour on transparent or white.
	Image image.Image
	// Descriptor, when set, is what [Detector.Descriptor] returned for
	// this reference: it is decoded instead of preparing Image, which may
	// then be nil. A stale or unreadable one falls back to Image.
	Descriptor []byte
	// Rev identifies the image's content (its SHA-256, say): a LogoID
	// already prepared is reused only while its BrandID and Rev are unchanged.
	Rev string
}

// Detection is one mark found in a scene.
type Detection struct {
	LogoID, BrandID string
	// Confidence is calibrated in [0,1]; see [Config.MinConfidence].
	Confidence float64
	// Box is in pixels of the scene image passed to [Detector.Detect]
	// (the image's own coordinate space, so it includes Bounds().Min).
	Box image.Rectangle
	// Method is the route that verified it: "shape" or "features".
	Method string

	// score, second and nullMax are the raw route score, the best score
	// of another brand on the same region and the reference's null-corpus
	// score, kept for calibration.
	score, second, nullMax float64
	// radial is the radial-profile distance of region and reference.
	radial float64
	// edge is the region's edge ratio (see edgeRatio).
	edge float64
	// crowd is the CrowdRank-th best score of other brands (see crowd.go).
	crowd float64
	// gap is where the photo's level on the reference's gaps lies between
	// the region's ink (0) and its ground (1), -1 when not measured (see
	// gapLevel).
	gap float64
	// grey is the reference's grey template aligned on the photo (see
	// eccScore), and greySecond the second reference's (see
	// shapeMatch.secondRef), where they were run (rho -1 otherwise).
	grey, greySecond eccAlignment
	// figure is what lies next to the region (see contextOf).
	figure figureParts
	// fine and fineSecond are the fine outline fits of the reference and
	// of the second brand's (see fineOutline), -1 when not read.
	fine, fineSecond float64
	// inner and innerSecond are the insides' fits of a ring reference
	// and of the second brand's (see innerFit), -1 when not read.
	inner, innerSecond float64
	// features are the learned decision's inputs (see decide.go), nil
	// when the match was not decided by it.
	features *[numDecide]float64
}

// Method names.
const (
	MethodShape    = "shape"
	MethodFeatures = "features"
)

// ErrClosed is returned by a [Detector] used after [Detector.Close].
var ErrClosed = errors.New("logo: detector closed")

// ErrInvalidConfig is wrapped by [Config.Validate].
var ErrInvalidConfig = errors.New("logo: invalid config")

// Config tunes a [Detector]. Start from [DefaultConfig].
type Config struct {
	// MaxSide is the longer side scenes are downscaled to before analysis.
	MaxSide int
	// LevelStep is the spacing of the grey-level threshold ladder.
	LevelStep int
	// MinSide and MinArea bound the smallest candidate region (working pixels).
	MinSide, MinArea int
	// GroupGap is the largest gap between two parts of one mark (letters
	// of a wordmark), relative to the smaller part's longer side.
	GroupGap float64
	// MinPartArea is the least area of a component that joins a group;
	// MaxParts skips grouping on a threshold level with more parts (texture).
	MinPartArea, MaxParts int
	// MaxPartRatio is the largest size ratio of two linked parts.
	MaxPartRatio int
	// MaxLogEcc is how far apart, in log, the eccentricities of a region
	// and a reference may be.
	MaxLogEcc float64
	// HashMaxDist is the largest 8x8 hash distance worth an exact IoU.
	HashMaxDist int
	// MaxRadial is the largest radial-profile distance (rotation-invariant,
	// see radial) between a region and a reference worth comparing their
	// rasters at every angle.
	MaxRadial float64
	// CoarseMin is the tolerant silhouette overlap a pair needs before
	// refinement.
	CoarseMin float64
	// ShapeMid and ShapeWidth scale the shape score: a match's fit is
	// (score-midpoint)/ShapeWidth, its midpoint ShapeMid or higher (see
	// fitMid); matches whose fit is under 0 are not decided on.
	ShapeMid, ShapeWidth float64
	// SmallMidBoost raises ShapeMid for regions whose longer side is under
	// SmallSide working pixels, linearly up to the full boost at MinSide:
	// small rasters are coarse, so chance matches score higher there.
	SmallMidBoost float64
	SmallSide     int
	// MarginMid and MarginWidth weigh a score's lead over the best other
	// brand on the same region, sigmoid((score-second-MarginMid)/MarginWidth),
	// where the small-round lift compares a lifted score with the plain one
	// (see shapeConfidence and roundsmall.go); a lift needs a lead of
	// MarginMid.
	MarginMid, MarginWidth float64
	// NullMargin is how far above its best null-corpus score a reference's
	// midpoint lies (see fitMid).
	NullMargin float64
	// CrowdRank is which best score of other brands on a region is the
	// crowd the learned decision measures a match's lead over (see
	// crowd.go); 0 reads no crowd.
	CrowdRank int
	// RepeatMax is how many look-alike neighbours make a region texture.
	RepeatMax int
	// MinDistinct is the least concavity share (hull minus mark, over hull)
	// a flat reference needs; plain discs and bars match any blob.
	MinDistinct float64
	// RatioTest is Lowe's ratio for feature matches.
	RatioTest float64
	// MinInliers is the least RANSAC inlier count for a feature detection.
	MinInliers int
	// MinConfidence drops weaker detections.
	MinConfidence float64
	// MaxDetections caps the detections returned for one scene.
	MaxDetections int
	// ColourSide is the longer side of the colour raster whose flat zones
	// are the second source of candidate regions (see colour.go); 0 turns
	// that source off.
	ColourSide int
	// ColourTols are the largest steps (L1 over RGB) between neighbouring
	// pixels of one flat zone, one segmentation each.
	ColourTols []int
	// SplitTwoTone also re-cuts each colour zone on a plain surround at
	// the midpoint of its colour and the surround's, which keeps blurred
	// edges and thin strokes (see twoTone).
	SplitTwoTone bool
	// MidCut re-cuts each region of the grey and chroma ladders whose
	// longer side is at most SmallSide at the level midway between its ink
	// and its ground, instead of at the ladder's level that gave its box,
	// where the surround is plain (see midcut.go): as a reference's small
	// renderings are cut at half coverage.
	MidCut bool
	// MidCutLarge extends MidCut to the ladders' regions of every size:
	// a reference is rendered at half coverage at any size, while the
	// ladder keeps a region at the first of its levels that gives the
	// region's box, near the ground for a light mark and near the ink for
	// a dark one, so a large blurred wordmark's letters run together or a
	// large dark emblem's strokes thin (see midcut.go).
	MidCutLarge bool
	// EdgeMid is where the learned decision's edge features turn: the
	// region's edge ratio, the gradient on its outline over the gradient
	// inside and around it (see edgeRatio), is read as its distance under
	// and over EdgeMid. A printed mark has an outline, a threshold cut
	// through shading does not.
	EdgeMid float64
	// FrameCutMax is the most mask pixels on the picture's outermost rows
	// and columns, over its box's shorter side, a region may have and be
	// reported: more, and the frame cuts it off (see frame.go). 0 turns
	// the check off.
	FrameCutMax float64
	// GapMin is where, between the region's ink (0) and the ground
	// around it (1), the photo's level on the gaps between a reference's
	// parts must lie at least, at the pose the matcher found, for a match
	// with a reference of several parts to be reported (see gaps.go): a
	// print keeps its gaps, a blob of one ink does not. 0 turns the check
	// off; the default, 0.05, is the setting measured in
	// docs/benchmarks.md ("Precision at 1,000 references, session 10").
	GapMin float64
	// GreyAlign runs the grey alignment (see eccScore) in study mode:
	// templates without an inner outline are aligned too, and the
	// correlation at the start pose is kept, for the benchmark's dump.
	GreyAlign bool
	// LearnedMin is the least probability of the learned decision at which
	// a shape match is reported (MinConfidence when that is higher). The
	// default, 0.75, was chosen in session 12 as the least whose precision
	// at 1,000 references reached 0.98 on the training seeds' matches
	// (regions, several of which lie over one mark), each seed scored by a
	// fit without it. Per reported detection precision is lower there
	// (0.97 on our brands' training seeds with the current fit); 0.9 is the
	// precision-first level, set per brand by its logo_confidence
	// threshold (docs/benchmarks.md, "All of session 13 together").
	LearnedMin float64
	// ChromaStep is the spacing of a threshold ladder on the colour raster's
	// a* and b* axes (8-bit Lab, neutral at 128), a third source of
	// candidate regions (see chroma.go); 0 turns it off.
	ChromaStep int
	// NearLooks is how many regions a photo the report cut left under the
	// reference's midpoint, scoring at least the queue floor, get a second
	// look (see nearMatches): refined in full and decided by the learned
	// decision, whose grey alignment can tell a blurred or slanted mark
	// from a blob. 0 turns it off.
	NearLooks int
	// GroupSlack is how many pixels wider than GroupGap times the smaller
	// part's size a gap between two parts may be and still link them (see
	// groupComponents): a threshold cut of the blurred raster places each
	// edge to a pixel, so a gap of letters 4-6 px tall, where GroupGap
	// allows one or two pixels, reads a pixel wider at one level than at
	// the next.
	GroupSlack int
	// GreyByInk reads a colour region's grey alignment (see eccScore) by
	// nearness to the region's ink colour instead of luminance where the
	// region stands out from its ground more by colour and the colour
	// raster holds it at eccMinSide pixels or more (see regionInkReading):
	// a textured ground of other colours then lies flat (docs/benchmarks.md,
	// "The grey reading of colour marks over textured grounds, session
	// 19", and, refitted with it, "All of session 19 together").
	GreyByInk bool
}

// DefaultConfig returns the settings the dev-set figures were measured with.
func DefaultConfig() Config {
	return Config{
		MaxSide:       1000,
		LevelStep:     24,
		MinSide:       30,
		MinArea:       40,
		GroupGap:      0.35,
		MinPartArea:   8,
		MaxParts:      3000,
		MaxPartRatio:  4,
		MaxLogEcc:     0.7,
		HashMaxDist:   14,
		MaxRadial:     1.0,
		CoarseMin:     0.6,
		ShapeMid:      0.72,
		ShapeWidth:    0.015,
		SmallMidBoost: 0.045,
		SmallSide:     70,
		MarginMid:     0.12,
		MarginWidth:   0.02,
		CrowdRank:     3,
		RepeatMax:     2,
		NullMargin:    0.06,
		MinDistinct:   0.06,
		RatioTest:     0.75,
		MinInliers:    12,
		MinConfidence: 0.5,
		MaxDetections: 20,
		ColourSide:    500,
		ColourTols:    []int{32},
		SplitTwoTone:  true,
		MidCut:        true,
		MidCutLarge:   true,
		EdgeMid:       4,
		ChromaStep:    24,
		NearLooks:     6,
		FrameCutMax:   0.25,
		GapMin:        0.05,
		LearnedMin:    0.75,
		GroupSlack:    1,
		GreyByInk:     true,
	}
}

// Validate reports the first unusable setting.
func (c Config) Validate() error {
	bad := func(f string, v any) error { return fmt.Errorf("%w: %s = %v", ErrInvalidConfig, f, v) }
	switch {
	case c.MaxSide < 64 || c.MaxSide > 8000:
		return bad("MaxSide", c.MaxSide)
	case c.LevelStep < 4 || c.LevelStep > 128:
		return bad("LevelStep", c.LevelStep)
	case c.MinSide < 4:
		return bad("MinSide", c.MinSide)
	case c.MinArea < 4:
		return bad("MinArea", c.MinArea)
	case c.GroupGap < 0 || c.GroupGap > 2:
		return bad("GroupGap", c.GroupGap)
	case c.GroupSlack < 0 || c.GroupSlack > 4:
		return bad("GroupSlack", c.GroupSlack)
	case c.MinPartArea < 1 || c.MaxParts < 2 || c.MaxPartRatio < 1:
		return bad("MinPartArea/MaxParts", [2]int{c.MinPartArea, c.MaxParts})
	case c.MaxLogEcc <= 0:
		return bad("MaxLogEcc", c.MaxLogEcc)
	case c.HashMaxDist < 0 || c.HashMaxDist > 64:
		return bad("HashMaxDist", c.HashMaxDist)
	case c.MaxRadial <= 0:
		return bad("MaxRadial", c.MaxRadial)
	case c.CoarseMin < 0 || c.CoarseMin > 1:
		return bad("CoarseMin", c.CoarseMin)
	case c.SmallMidBoost < 0 || c.SmallSide < c.MinSide:
		return bad("SmallMidBoost/SmallSide", [2]float64{c.SmallMidBoost, float64(c.SmallSide)})
	case c.MarginMid < 0 || c.MarginWidth <= 0:
		return bad("MarginMid/MarginWidth", [2]float64{c.MarginMid, c.MarginWidth})
	case c.CrowdRank < 0 || c.CrowdRank > 20:
		return bad("CrowdRank", c.CrowdRank)
	case c.NullMargin < 0 || c.NullMargin > 0.5:
		return bad("NullMargin", c.NullMargin)
	case c.RepeatMax < 1:
		return bad("RepeatMax", c.RepeatMax)
	case c.ShapeMid <= 0 || c.ShapeMid >= 1 || c.ShapeWidth <= 0:
		return bad("ShapeMid/ShapeWidth", [2]float64{c.ShapeMid, c.ShapeWidth})
	case c.MinDistinct < 0 || c.MinDistinct >= 1:
		return bad("MinDistinct", c.MinDistinct)
	case c.RatioTest <= 0 || c.RatioTest >= 1:
		return bad("RatioTest", c.RatioTest)
	case c.MinInliers < 6:
		return bad("MinInliers", c.MinInliers)
	case c.MinConfidence < 0 || c.MinConfidence > 1:
		return bad("MinConfidence", c.MinConfidence)
	case c.MaxDetections < 1:
		return bad("MaxDetections", c.MaxDetections)
	case c.ColourSide != 0 && (c.ColourSide < 64 || c.ColourSide > c.MaxSide):
		return bad("ColourSide", c.ColourSide)
	case c.ColourSide != 0 && (len(c.ColourTols) == 0 || len(c.ColourTols) > 8):
		return bad("ColourTols", c.ColourTols)
	case c.EdgeMid < 0 || c.EdgeMid > 100:
		return bad("EdgeMid", c.EdgeMid)
	case c.FrameCutMax < 0 || c.FrameCutMax > 4:
		return bad("FrameCutMax", c.FrameCutMax)
	case c.GapMin < 0 || c.GapMin > 1:
		return bad("GapMin", c.GapMin)
	case c.LearnedMin < 0 || c.LearnedMin >= 1:
		return bad("LearnedMin", c.LearnedMin)
	case c.ChromaStep < 0 || c.ChromaStep > 96:
		return bad("ChromaStep", c.ChromaStep)
	case c.NearLooks < 0 || c.NearLooks > 100:
		return bad("NearLooks", c.NearLooks)
	}
	for _, t := range c.ColourTols {
		if t < 1 || t > 3*255 {
			return bad("ColourTols", c.ColourTols)
		}
	}
	return nil
}

// refSet is an immutable prepared reference set, swapped atomically.
type refSet struct {
	all []*prepared
	// flat are the shape-route references, sorted by logEcc.
	flat     []*prepared
	textured []*prepared
	byID     map[string]*prepared
}

// Detector finds registered marks in scenes. It is safe for concurrent use.
type Detector struct {
	cfg  Config
	null []*candidate // regions of the null corpus, see nullFS
	// words are the regions of common words, which the fine outline's
	// chance level reads besides null (see nullCalibration).
	words []*candidate
	// descVer fingerprints the settings descriptors depend on.
	descVer uint64
	refs    atomic.Pointer[refSet]
	mu      sync.Mutex // serialises SetReferences
	closed  atomic.Bool
	// verified counts the shape matches verified (see verify.go) and
	// verifyTime the nanoseconds that took, for the benchmark.
	verified, verifyTime atomic.Int64
	// crowdTime is the nanoseconds the crowd check took (see crowd.go).
	crowdTime atomic.Int64
	// contextTime is the nanoseconds the context check took (see
	// context.go).
	contextTime atomic.Int64
	// fineTime is the nanoseconds the fine outline comparison took (see
	// fineOutline).
	fineTime atomic.Int64
	// refined counts the refinements (bestShift) matchShapes made.
	refined atomic.Int64
	// decideStudy makes the learned decision read every feature and
	// return every match it considers, reported or not, unsuppressed:
	// the benchmark's training dumps (scripts/fit-logos.sh).
	decideStudy bool
	// eccRuns counts the grey alignments (see ecc.go) and eccTime the
	// nanoseconds they took.
	eccRuns, eccTime atomic.Int64
}

// New returns a Detector with no references.
func New(cfg Config) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	null, err := nullCandidates(cfg)
	if err != nil {
		return nil, err
	}
	words, err := wordCandidates(cfg)
	if err != nil {
		return nil, err
	}
	d := &Detector{cfg: cfg, null: null, words: words, descVer: descVersion(cfg, len(null)+len(words))}
	d.refs.Store(&refSet{byID: map[string]*prepared{}})
	return d, nil
}

// SetReferences replaces the reference set. References whose LogoID was
// already prepared are reused, not recomputed. Detect calls running
// meanwhile finish with the set they started with.
//
// A reference without a usable mark (blank image, see [ErrNoMark]) is left
// out and reported in the returned error, joined with any others; all the
// other references are installed all the same, so one bad upload cannot
// disable detection. Empty or duplicate LogoIDs are rejected outright and
// leave the current set in place.
func (d *Detector) SetReferences(refs []Reference) error {
	if d.closed.Load() {
		return ErrClosed
	}
	ids := make(map[string]bool, len(refs))
	for _, r := range refs {
		if r.LogoID == "" {
			return errors.New("logo: reference without LogoID")
		}
		if ids[r.LogoID] {
			return fmt.Errorf("logo: duplicate LogoID %q", r.LogoID)
		}
		ids[r.LogoID] = true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.refs.Load()
	next := &refSet{byID: make(map[string]*prepared, len(refs))}
	var errs []error
	for _, r := range refs {
		p, ok := old.byID[r.LogoID]
		if !ok || p.brandID != r.BrandID || p.rev != r.Rev {
			var err error
			p, err = d.load(r)
			if err != nil {
				errs = append(errs, err)
				continue
			}
		}
		next.byID[r.LogoID] = p
		next.all = append(next.all, p)
		if p.feat != nil {
			next.textured = append(next.textured, p)
		} else if p.distinct >= d.cfg.MinDistinct {
			next.flat = append(next.flat, p)
		}
	}
	sort.Slice(next.flat, func(i, j int) bool { return next.flat[i].logEcc < next.flat[j].logEcc })
	d.refs.Store(next)
	return errors.Join(errs...)
}

// load decodes r's descriptor or, failing that, prepares r's image and
// calibrates it on the null corpus.
func (d *Detector) load(r Reference) (*prepared, error) {
	if len(r.Descriptor) > 0 {
		if p, err := decodePrepared(r.Descriptor, d.descVer); err == nil {
			p.logoID, p.brandID, p.rev = r.LogoID, r.BrandID, r.Rev
			return p, nil
		}
	}
	p, err := safePrepare(r, d.cfg)
	if err != nil {
		return nil, err
	}
	p.rev = r.Rev
	if p.feat == nil {
		p.nullMax, p.fineNull = nullCalibration(p, d.null, d.words, d.cfg)
		p.nullRound = nullRoundScore(p, d.null, d.cfg)
	}
	return p, nil
}

func safePrepare(r Reference, cfg Config) (p *prepared, err error) {
	defer func() {
		if v := recover(); v != nil {
			p, err = nil, fmt.Errorf("logo: %s: preparing reference panicked: %v", r.LogoID, v)
		}
	}()
	return prepare(r, cfg)
}

// Has reports whether the current set holds the reference logoID at
// revision rev.
func (d *Detector) Has(logoID, rev string) bool {
	p, ok := d.refs.Load().byID[logoID]
	return ok && p.rev == rev
}

// Close releases the detector. It holds no C memory between calls (every
// Mat lives within one Detect), so Close only makes later calls fail.
func (d *Detector) Close() error {
	d.closed.Store(true)
	d.refs.Store(&refSet{byID: map[string]*prepared{}})
	return nil
}

// Detect returns the registered marks found in scene, strongest first.
func (d *Detector) Detect(ctx context.Context, scene image.Image) (dets []Detection, err error) {
	if d.closed.Load() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set := d.refs.Load()
	if scene == nil || len(set.all) == 0 {
		return nil, nil
	}
	b := scene.Bounds()
	if b.Dx() < d.cfg.MinSide || b.Dy() < d.cfg.MinSide {
		return nil, nil
	}
	defer func() {
		if v := recover(); v != nil {
			dets, err = nil, fmt.Errorf("logo: detect panicked: %v", v)
		}
	}()
	g, scale := toGray(scene, d.cfg.MaxSide, false)
	var found []Detection
	toScene := func(r image.Rectangle) image.Rectangle {
		r = image.Rect(int(math.Floor(float64(r.Min.X)/scale)), int(math.Floor(float64(r.Min.Y)/scale)),
			int(math.Ceil(float64(r.Max.X)/scale)), int(math.Ceil(float64(r.Max.Y)/scale)))
		return r.Add(b.Min).Intersect(b)
	}
	if len(set.flat) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cands, col, err := photoCandidates(ctx, scene, g, scale, d.cfg)
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		matches := matchShapes(cands, set.flat, d.cfg)
		d.refined.Add(int64(refinements(cands)))
		for _, m := range matches {
			m, null := d.cfg.liftRoundSmall(m) // small round marks (roundsmall.go)
			L := max(m.cand.box.Dx(), m.cand.box.Dy())
			if det, ok := d.decideShape(m, null, L, cands, g, col, set.flat); ok {
				det.Box = toScene(det.Box)
				found = append(found, det)
			}
		}
	}
	if len(set.textured) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fg := g
		fscale := scale
		if max(g.w, g.h) > featMaxSide {
			fg, fscale = toGray(scene, featMaxSide, false)
		}
		sf, err := computeSceneFeatures(fg, fscale)
		if err != nil {
			return nil, err
		}
		defer sf.Close()
		matcher := gocv.NewBFMatcher()
		defer matcher.Close()
		for _, r := range set.textured {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			box, conf, ok := matchFeatures(r, sf, &matcher, d.cfg)
			if !ok || conf < d.cfg.MinConfidence {
				continue
			}
			box = image.Rect(int(float64(box.Min.X)/fscale), int(float64(box.Min.Y)/fscale),
				int(math.Ceil(float64(box.Max.X)/fscale)), int(math.Ceil(float64(box.Max.Y)/fscale)))
			box = box.Add(b.Min).Intersect(b)
			if box.Empty() {
				continue
			}
			found = append(found, Detection{LogoID: r.logoID, BrandID: r.brandID, Confidence: conf, Box: box, Method: MethodFeatures})
		}
	}
	if d.decideStudy {
		return found, nil
	}
	return suppress(found, d.cfg.MaxDetections), nil
}

// shapeConfidence maps the shape score of a region whose longer side is L
// working pixels, and the best score another brand reached on it, to a
// calibrated confidence: the score must clear a midpoint (the higher of
// ShapeMid and the reference's best null-corpus score plus NullMargin,
// raised for small regions) and
// beat every other brand by a margin (with a thousand references some
// reference fits almost any blob; a real mark fits one far better).
func (c Config) shapeConfidence(score, second, nullMax float64, L int) float64 {
	return c.fitConfidence(score, nullMax, L) * sigmoid((score-second-c.MarginMid)/c.MarginWidth)
}

// fitConfidence is shapeConfidence's first factor: how clearly the score
// clears the reference's midpoint, whatever other brands score.
func (c Config) fitConfidence(score, nullMax float64, L int) float64 {
	return sigmoid((score - c.fitMid(nullMax, L)) / c.ShapeWidth)
}

// fitMid is fitConfidence's midpoint for a reference whose null-corpus
// best is nullMax, on a region whose longer side is L.
func (c Config) fitMid(nullMax float64, L int) float64 {
	mid := math.Max(c.ShapeMid, nullMax+c.NullMargin)
	if L < c.SmallSide {
		f := float64(c.SmallSide-L) / float64(max(1, c.SmallSide-c.MinSide))
		mid += c.SmallMidBoost * math.Min(1, f)
	}
	return mid
}

// repeated reports whether c is one tile of a texture: at least
// RepeatMax other regions nearby with its size and shape (chessboards,
// fabric, fruit). Marks are rarely tiled in listing photos; monogram canvas
// is the exception this gives up.
func repeated(c *candidate, cands []*candidate, cfg Config) bool {
	L := float64(max(c.box.Dx(), c.box.Dy()))
	cx, cy := float64(c.box.Min.X+c.box.Max.X)/2, float64(c.box.Min.Y+c.box.Max.Y)/2
	n := 0
	for _, o := range cands {
		if o == c {
			continue
		}
		oL := float64(max(o.box.Dx(), o.box.Dy()))
		if oL > 1.35*L || L > 1.35*oL {
			continue
		}
		ox, oy := float64(o.box.Min.X+o.box.Max.X)/2, float64(o.box.Min.Y+o.box.Max.Y)/2
		if math.Hypot(ox-cx, oy-cy) > 3*L || boxOverlap(o.box, c.box) > 0.2 {
			continue
		}
		if shapeScore(&c.view, &o.view) >= 0.8 {
			n++
			if n >= cfg.RepeatMax {
				return true
			}
		}
	}
	return false
}

func boxOverlap(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	ia := float64(in.Dx() * in.Dy())
	if ia == 0 {
		return 0
	}
	return ia / float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()-int(ia))
}

// shapeMatch is the best reference for one candidate region, and the best
// score any reference of another brand reached on it.
type shapeMatch struct {
	cand          *candidate
	ref           *prepared
	score, second float64
	// secondRef is the reference that scored second, of another brand.
	secondRef *prepared
	// near marks a match of the second look (nearMatches): its score lies
	// under the report floor, and only the learned decision weighs it.
	near bool
}

// offer takes reference r's score s on the region into m: r becomes the
// best when it beats it (the old best, of another brand, the second), or
// the second when it beats that and is of another brand than the best.
func (m *shapeMatch) offer(r *prepared, s float64) {
	switch {
	case s > m.score:
		if m.ref != nil && m.ref.brandID != r.brandID {
			m.second, m.secondRef = m.score, m.ref
		}
		m.ref, m.score = r, s
	case s > m.second && m.ref != nil && m.ref.brandID != r.brandID:
		m.second, m.secondRef = s, r
	}
}

// eccOrder is the candidates' indices sorted by the log of their
// eccentricity, with those logs.
type eccOrder struct {
	idx []int
	ecc []float64
}

// byEccentricity returns cands' eccOrder.
func byEccentricity(cands []*candidate) eccOrder {
	o := eccOrder{idx: make([]int, len(cands)), ecc: make([]float64, len(cands))}
	logs := make([]float64, len(cands))
	for i, c := range cands {
		o.idx[i], logs[i] = i, math.Log(math.Max(c.mo.ecc, 1e-3))
	}
	sort.Slice(o.idx, func(i, j int) bool { return logs[o.idx[i]] < logs[o.idx[j]] })
	for k, i := range o.idx {
		o.ecc[k] = logs[i]
	}
	return o
}

// window returns the indices of the candidates whose eccentricity lies in
// reference r's window, [r.logEcc-below, r.logEcc+above] in log terms (see
// eccWindow), in order of eccentricity.
func (o eccOrder) window(r *prepared, cfg Config) []int {
	below, above := cfg.eccWindow(r)
	lo := sort.Search(len(o.ecc), func(i int) bool { return r.logEcc <= o.ecc[i]+below })
	hi := lo + sort.Search(len(o.ecc)-lo, func(i int) bool { return r.logEcc < o.ecc[lo+i]-above })
	return o.idx[lo:hi]
}

// anisoLogEcc is how much more elongated than an elongated reference a
// region may be (see eccWindow).
const anisoLogEcc = 1.0

// eccWindow is how far below and above r's eccentricity, in log, a
// region's may lie. An elongated reference (a wordmark) accepts regions
// more elongated than itself by anisoLogEcc instead of MaxLogEcc: its λmin
// is small, so perspective foreshortening along its short axis moves the
// log a lot (a Coca-Cola script at 357 px with 0.08 perspective measured
// 0.04 against its reference's 0.09), while the aligned raster it is
// compared in is whitened, so the aspect drops out of the comparison
// anyway. Rounder regions keep MaxLogEcc: widening that side let blobs fit
// the swoosh.
func (c Config) eccWindow(r *prepared) (below, above float64) {
	if r.aniso {
		return math.Max(c.MaxLogEcc, anisoLogEcc), c.MaxLogEcc
	}
	return c.MaxLogEcc, c.MaxLogEcc
}

// alignedFlip returns which of an elongated reference r's two aligned
// views (the second turned a half turn) faces region c, or false when c
// has no aligned view or its axis lies beyond the angle search from r's.
func alignedFlip(c *candidate, r *prepared) (int, bool) {
	// The axes first: the aligned view is made on first use, and a
	// region whose axis no elongated reference's comes near never needs
	// one.
	diff := c.mo.theta - r.mo.theta
	th := wrap90(diff)
	if math.Abs(th) > maxAngle+angleStep || c.alignedView() == nil {
		return 0, false
	}
	if math.Abs(diff-th) > 90 {
		return 1, true
	}
	return 0, true
}

// nearestTapered returns the index of r's tapered view (perspective, see
// taper.go) in the given flip that c's aligned view overlaps best past the
// area, hash and coarse gates, or -1 when none passes.
func nearestTapered(c *candidate, r *prepared, flip int, cfg Config) int {
	bi, bs := -1, cfg.CoarseMin
	for i := range r.tapered {
		v := &r.tapered[i][flip]
		if !similarArea(c.aligned, v) || bits.OnesCount64(v.hash^c.aligned.hash) > cfg.HashMaxDist {
			continue
		}
		if s := maskTolerantF(c.aligned, v); s > bs {
			bi, bs = i, s
		}
	}
	return bi
}

// roundAngles returns the range of r's angle views to search for region
// c: all of them, or, when both are elongated enough for their principal
// axes to fix the rotation, the step nearest the axes' difference and its
// neighbours; false when the axes lie beyond the angle search.
func roundAngles(c *candidate, r *prepared) (lo, hi int, ok bool) {
	if !(r.mo.ecc < 0.6 && c.mo.ecc < 0.7) {
		return 0, numAngles - 1, true
	}
	th := wrap90(c.mo.theta - r.mo.theta)
	if math.Abs(th) > maxAngle+angleStep {
		return 0, 0, false
	}
	i := int(math.Round((th + maxAngle) / angleStep))
	return max(0, i-1), min(numAngles-1, i+1), true
}

// scoreRef returns the refined shape score of candidate c against reference
// r, or 0 when the cheap gates rule the pair out.
func scoreRef(c *candidate, r *prepared, cfg Config, floor float64) float64 {
	return scoreSearch(c, r, cfg, floor, exactSearch)
}

// scoreSearch is scoreRef with the shortcuts of s (see search.go).
func scoreSearch(c *candidate, r *prepared, cfg Config, floor float64, s search) float64 {
	if r.aniso {
		flip, ok := alignedFlip(c, r)
		if !ok {
			return 0
		}
		best := alignedScore(c, &r.aligned[flip], cfg, floor, s)
		// Perspective: the tapered view the region overlaps best, if any
		// clears the coarse gate (see taper.go).
		if bi := nearestTapered(c, r, flip, cfg); bi >= 0 {
			best = math.Max(best, alignedScore(c, &r.tapered[bi][flip], cfg, floor, s.after(best, taperCost))-taperCost)
		}
		// Small regions: the reference rendered at their size (small.go),
		// searched in full: skipping their refinement as fastSearch does
		// lost a 16-reference mark on seed 42 (100 -> 99 found).
		return math.Max(best, smallScore(c, r, flip, cfg, floor, exactSearch))
	}
	if radialDist(&c.rad, &r.rad) > cfg.MaxRadial {
		return 0
	}
	// No angle can pass the coarse gate, or whichever passes best cannot
	// score enough to be refined (see ringEnvelope.bound).
	if tol, score := r.rings.bound(&c.view, &c.rings); tol <= cfg.CoarseMin || score < floor-s.ringSlack() {
		return 0
	}
	bi := s.roundAngle(c, r, cfg)
	if bi < 0 {
		return 0
	}
	if s0 := shapeScore(&c.view, &r.views[bi]); s0 < floor-refineSlack || s.skipRefine(s0) {
		return 0
	}
	// Refine: the best angle and its neighbours, small shifts, full score.
	shifts := c.shifted()
	best := 0.0
	for i := max(0, bi-1); i <= min(numAngles-1, bi+1); i++ {
		best = math.Max(best, bestShift(shifts, &r.views[i]))
	}
	return best
}

// alignedScore is the refined score of c's aligned view against the
// reference's aligned view v, or 0 when the gates rule the pair out.
func alignedScore(c *candidate, v *shapeView, cfg Config, floor float64, s search) float64 {
	if !similarArea(c.aligned, v) || bits.OnesCount64(v.hash^c.aligned.hash) > cfg.HashMaxDist || maskTolerantF(c.aligned, v) < cfg.CoarseMin {
		return 0
	}
	if s0 := shapeScore(c.aligned, v); s0 < floor-refineSlack || s.skipRefine(s0) {
		return 0
	}
	return bestShift(c.alignedShifted(), v)
}

// similarArea is the free first gate: in the normalised frame a mark and
// its reference cover about the same number of cells.
func similarArea(a, b *shapeView) bool {
	return 10*min(a.maskN, b.maskN) >= 7*max(a.maskN, b.maskN)
}

// refineSlack is how far under the reporting floor an unshifted score may
// be and still be refined: shifts rarely gain more.
const refineSlack = 0.1

// bestShift is the best score over the shifted candidate views. It climbs
// from the centre instead of trying all of them, scoring each shift at most
// once (neighbourhoods of successive steps overlap).
func bestShift(shifts *shiftSet, v *shapeView) float64 {
	return bestShiftFrom(shifts, v, -1)
}

// bestShiftFrom is bestShift when the unshifted view's score is known
// (center >= 0): shapeScore(shifts.base, v), which the gates before a
// refinement computed.
func bestShiftFrom(shifts *shiftSet, v *shapeView, center float64) float64 {
	const n = 2*maxShift + 1
	var scored [n * n]bool
	var memo [n * n]float64
	shifts.climbs++
	if center >= 0 {
		scored[shiftN/2], memo[shiftN/2] = true, center
	}
	score := func(i int) float64 {
		if !scored[i] {
			scored[i], memo[i] = true, shapeScore(shifts.at(i), v)
		}
		return memo[i]
	}
	x, y := maxShift, maxShift
	best := score(y*n + x)
	for {
		bx, by := x, y
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				nx, ny := x+dx, y+dy
				if (dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= n || ny >= n {
					continue
				}
				if s := score(ny*n + nx); s > best {
					best, bx, by = s, nx, ny
				}
			}
		}
		if bx == x && by == y {
			return best
		}
		x, y = bx, by
	}
}

// suppress keeps the strongest of overlapping detections, strongest first,
// at most maxN.
func suppress(ds []Detection, maxN int) []Detection {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Confidence > ds[j].Confidence })
	var out []Detection
	for _, d := range ds {
		keep := true
		for _, k := range out {
			inter := d.Box.Intersect(k.Box)
			ia := float64(inter.Dx() * inter.Dy())
			if ia == 0 {
				continue
			}
			da := float64(d.Box.Dx() * d.Box.Dy())
			ka := float64(k.Box.Dx() * k.Box.Dy())
			// One region is one mark: drop what overlaps a stronger
			// detection, or lies mostly inside one (letters of a
			// wordmark read as another brand's mark).
			if ia/(da+ka-ia) > 0.4 || ia/da > 0.7 || (k.BrandID == d.BrandID && ia/math.Min(da, ka) > 0.6) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, d)
			if len(out) == maxN {
				break
			}
		}
	}
	return out
}
