package logo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"
	xdraw "golang.org/x/image/draw"

	"counterlens/internal/cpuclock"
	"counterlens/internal/synth"
)

// registeredBrands are the marks registered in tests and benchmarks.
var registeredBrands = []string{"nike", "adidas", "puma", "reebok", "fila", "newbalance", "underarmour",
	"thenorthface", "apple", "samsung", "sony", "playstation", "starbucks", "redbull", "cocacola", "jbl"}

// sceneMarks are simple-icons marks that some opencv-doc scenes show: the
// OpenCV logo and Linux's Tux.
var sceneMarks = []string{"opencv", "linux"}

// lookAlikes are distractor marks close in spirit to the registered ones
// (sportswear, electronics, drinks, swooshes and wordmarks).
var lookAlikes = []string{"jordan", "anta", "lining", "wish", "zara", "bata", "toyota", "honda",
	"mitsubishi", "lg", "xiaomi", "huawei", "mcdonalds", "burgerking", "bose", "beatsbydre", "ubereats", "peakdesign"}

// heldoutBrands are registered instead of registeredBrands with
// COUNTERLENS_BENCH_BRANDS=heldout: real consumer brands that no session
// tuned on or trained the decision on, in the same mix as ours (wordmarks,
// emblems, flat silhouettes, round marks), for measuring how the detector
// does on marks it was never fitted to. Never train on them.
var heldoutBrands = []string{
	"uniqlo",      // wordmark in a filled square (fashion, like fila)
	"nikon",       // italic wordmark (electronics, like sony)
	"lenovo",      // wordmark knocked out of a bar
	"dell",        // wordmark in a ring (round mark)
	"hp",          // slanted letters knocked out of a disc (round mark)
	"bmw",         // round emblem with letters and quarters (like starbucks)
	"audi",        // four rings: a thin silhouette with holes
	"porsche",     // detailed crest (emblem, like redbull)
	"ferrari",     // prancing horse (flat silhouette, like puma)
	"lamborghini", // bull (flat silhouette, like redbull's bulls)
	"mastercard",  // two overlapping discs (round mark)
	"visa",        // bold italic wordmark (like newbalance)
	"shell",       // scallop shell (flat silhouette with slits)
	"dior",        // serif wordmark (like sony)
	"tesla",       // T with an arc (flat silhouette, like nike)
	"kfc",         // italic wordmark (food, like cocacola)
}

// benchBrands are the marks BenchmarkLogos registers for mode
// (COUNTERLENS_BENCH_BRANDS): "" or "dev" registeredBrands; "heldout"
// heldoutBrands; "random" 16 of icons drawn by seed, never a held-out
// brand, a look-alike or a scene mark (training the decision on more marks
// than our 16).
func benchBrands(mode string, seed uint64, icons []string) ([]string, error) {
	switch mode {
	case "", "dev":
		return registeredBrands, nil
	case "heldout":
		return heldoutBrands, nil
	case "random":
		var pool []string
		for _, n := range icons {
			if !slices.Contains(heldoutBrands, n) && !slices.Contains(lookAlikes, n) && !slices.Contains(sceneMarks, n) {
				pool = append(pool, n)
			}
		}
		slices.Sort(pool)
		pool = slices.Compact(pool)
		if len(pool) < len(registeredBrands) {
			return nil, fmt.Errorf("random brands: %d icons to draw from", len(pool))
		}
		rng := rand.New(rand.NewPCG(seed, 0x5eed0b7a2d5))
		rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		return pool[:len(registeredBrands)], nil
	}
	return nil, fmt.Errorf("COUNTERLENS_BENCH_BRANDS=%q: want dev, heldout or random", mode)
}

// nullCorpus are the opencv samples in nullscenes/, never used as backgrounds.
var nullCorpus = []string{"board", "smarties", "stuff", "graf1", "blox", "leuvenA", "left01"}

// rasterSVG renders an icon to a 256-px-high transparent image, with
// rsvg-convert (librsvg2-bin) when it is installed: oksvg misreads the
// compact arc syntax of some simple-icons paths (the Nike swoosh comes out a
// wedge), which would make the benchmark measure the wrong marks.
func rasterSVG(path string) (image.Image, error) {
	if rsvg, err := exec.LookPath("rsvg-convert"); err == nil {
		out, err := exec.Command(rsvg, "-h", "256", path).Output()
		if err != nil {
			return nil, fmt.Errorf("rsvg-convert %s: %w", path, err)
		}
		return png.Decode(bytes.NewReader(out))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	icon, err := oksvg.ReadIconStream(f, oksvg.WarnErrorMode)
	if err != nil {
		return nil, err
	}
	const h = 256
	w := int(math.Ceil(h * icon.ViewBox.W / math.Max(icon.ViewBox.H, 1e-6)))
	if w <= 0 || w > 4*h {
		return nil, fmt.Errorf("%s: odd view box", path)
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	icon.SetTarget(0, 0, float64(w), h)
	sc := rasterx.NewScannerGV(w, h, img, img.Bounds())
	icon.Draw(rasterx.NewDasher(w, h, sc), 1)
	return img, nil
}

type devImage struct {
	img image.Image
	gt  map[string][]image.Rectangle // LogoID → boxes
	// how says how each gt box was drawn, for studying the misses.
	how           map[string][]string
	blur, quality int
	// distract are the boxes of the unregistered marks drawn, by index
	// into the distractor list, for telling where a false alarm lies.
	distract    []image.Rectangle
	distractIdx []int
}

// buildDevSet composites marks into the opencv sample photos: about a third
// of the images hold no registered mark, the rest one (sometimes two); most
// hold one or two distractor marks. Everything follows seed.
func buildDevSet(b *testing.B, n int, seed uint64, registered map[string]image.Image, distractors []image.Image, bgs []image.Image) []devImage {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	names := make([]string, 0, len(registered))
	for k := range registered {
		names = append(names, k)
	}
	sort.Strings(names)
	alpha := map[string]*image.Alpha{}
	for k, v := range registered {
		alpha[k] = synth.MarkAlpha(v)
	}
	dAlpha := make([]*image.Alpha, len(distractors))
	for i, d := range distractors {
		dAlpha[i] = synth.MarkAlpha(d)
	}
	randColor := func() color.RGBA {
		return color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
	}
	lum := func(c color.RGBA) float64 { return 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B) }
	var out []devImage
	for i := range n {
		bg := bgs[rng.IntN(len(bgs))]
		// A 1000x750 (or 750x1000) view of a random crop.
		W, H := 1000, 750
		if rng.IntN(4) == 0 {
			W, H = 750, 1000
		}
		bb := bg.Bounds()
		cw := int(float64(bb.Dx()) * (0.6 + 0.4*rng.Float64()))
		ch := min(bb.Dy(), int(float64(cw)*float64(H)/float64(W)))
		cw = int(float64(ch) * float64(W) / float64(H))
		x0 := bb.Min.X + rng.IntN(max(1, bb.Dx()-cw+1))
		y0 := bb.Min.Y + rng.IntN(max(1, bb.Dy()-ch+1))
		dst := image.NewRGBA(image.Rect(0, 0, W, H))
		xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), bg, image.Rect(x0, y0, x0+cw, y0+ch), xdraw.Src, nil)
		short := float64(min(W, H))
		var taken []image.Rectangle
		var how string
		place := func(m *image.Alpha) image.Rectangle {
			for range 20 {
				long := short * (0.05 + 0.55*rng.Float64()*rng.Float64()*1.2)
				long = math.Min(long, 0.6*short)
				p := synth.Placement{
					Long:  long,
					Angle: rng.Float64()*60 - 30,
					Persp: 0.08 * rng.Float64(),
					CX:    long*0.7 + rng.Float64()*(float64(W)-1.4*long),
					CY:    long*0.7 + rng.Float64()*(float64(H)-1.4*long),
					FG:    randColor(),
				}
				r := image.Rect(int(p.CX-long*0.8), int(p.CY-long*0.8), int(p.CX+long*0.8), int(p.CY+long*0.8))
				if slices.ContainsFunc(taken, r.Overlaps) {
					continue
				}
				if rng.Float64() < 0.65 {
					// A product-like panel whose tone contrasts with the mark.
					for {
						pc := randColor()
						if math.Abs(lum(pc)-lum(p.FG)) > 50 {
							p.Patch = &pc
							break
						}
					}
				}
				taken = append(taken, r)
				// Luminance contrast of the mark with what is under it.
				under := 0.0
				if p.Patch != nil {
					under = lum(*p.Patch)
				} else {
					n := 0
					for y := max(0, r.Min.Y); y < min(H, r.Max.Y); y += 4 {
						for x := max(0, r.Min.X); x < min(W, r.Max.X); x += 4 {
							under += lum(dst.RGBAAt(x, y))
							n++
						}
					}
					under /= float64(max(1, n))
				}
				how = fmt.Sprintf("patch=%v contrast=%.0f angle=%.0f persp=%.2f %s", p.Patch != nil, math.Abs(lum(p.FG)-under), p.Angle, p.Persp, underStats(dst, r, p))
				return synth.Composite(dst, m, p, rng)
			}
			return image.Rectangle{}
		}
		gt := map[string][]image.Rectangle{}
		hows := map[string][]string{}
		if i%3 != 0 {
			k := 1
			if rng.IntN(6) == 0 {
				k = 2
			}
			for range k {
				name := names[rng.IntN(len(names))]
				if r := place(alpha[name]); !r.Empty() {
					gt[name] = append(gt[name], r)
					hows[name] = append(hows[name], how)
				}
			}
		}
		var dBoxes []image.Rectangle
		var dIdx []int
		for range rng.IntN(3) {
			k := rng.IntN(len(dAlpha))
			if r := place(dAlpha[k]); !r.Empty() {
				dBoxes, dIdx = append(dBoxes, r), append(dIdx, k)
			}
		}
		blur := 0
		if rng.IntN(3) == 0 {
			blur = 1
		}
		noise := 4 * rng.Float64()
		quality := 50 + rng.IntN(46)
		img := degrade(b, dst, blur, noise, quality, rng)
		out = append(out, devImage{img: img, gt: gt, how: hows, blur: blur, quality: quality, distract: dBoxes, distractIdx: dIdx})
	}
	return out
}

type devScore struct {
	tp, fp, fn int
	ious       []float64
	elapsed    time.Duration
	cpu        time.Duration
	images     int
}

func (s devScore) precision() float64 { return float64(s.tp) / math.Max(1, float64(s.tp+s.fp)) }
func (s devScore) recall() float64    { return float64(s.tp) / math.Max(1, float64(s.tp+s.fn)) }
func (s devScore) f1() float64 {
	p, r := s.precision(), s.recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
func (s devScore) medianIoU() float64 {
	if len(s.ious) == 0 {
		return 0
	}
	v := slices.Clone(s.ious)
	slices.Sort(v)
	return v[len(v)/2]
}

var dumpF *os.File

// distractorNames name the distractor marks, for the dump.
var distractorNames []string

// where says what a detection's box lies on: a distractor mark (by name),
// a registered mark, or the scene.
func (im devImage) where(r image.Rectangle) string {
	for i, d := range im.distract {
		if boxIoU(r, d) >= 0.3 {
			return "distractor=" + distractorNames[im.distractIdx[i]]
		}
	}
	for k, v := range im.gt {
		for _, g := range v {
			if boxIoU(r, g) >= 0.3 {
				return "mark=" + k
			}
		}
	}
	return "scene"
}

// saveCrop writes r of img, widened by a quarter, as PNG (for studying
// false alarms and misses: COUNTERLENS_BENCH_CROPS=dir).
func saveCrop(b *testing.B, path string, img image.Image, r image.Rectangle) {
	m := max(r.Dx(), r.Dy()) / 4
	r = r.Inset(-m).Intersect(img.Bounds())
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	xdraw.Copy(out, image.Point{}, img, r, xdraw.Src, nil)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, out); err != nil {
		b.Fatal(err)
	}
}

func evaluate(b *testing.B, d *Detector, set []devImage) devScore {
	var s devScore
	start := time.Now()
	cpu0 := cpuclock.Used()
	for ii, im := range set {
		dets, err := d.Detect(context.Background(), im.img)
		if err != nil {
			b.Fatal(err)
		}
		used := map[string][]bool{}
		for k, v := range im.gt {
			used[k] = make([]bool, len(v))
		}
		for _, det := range dets {
			best, bi := 0.0, -1
			for j, r := range im.gt[det.LogoID] {
				if v := boxIoU(det.Box, r); v > best && !used[det.LogoID][j] {
					best, bi = v, j
				}
			}
			truth := bi >= 0 && best >= 0.5
			if d.decideStudy {
				// Training rows: every match over a mark of its reference
				// is true, however many regions of that mark matched.
				truth = slices.ContainsFunc(im.gt[det.LogoID], func(r image.Rectangle) bool { return boxIoU(det.Box, r) >= 0.5 })
			}
			if dumpF != nil {
				fmt.Fprintf(dumpF, "%s %.4f %v %d %.4f %.4f %.4f %.4f %s %s\n", det.LogoID, det.Confidence, truth, max(det.Box.Dx(), det.Box.Dy()), det.score, det.second, det.nullMax, det.radial, det.Method, im.where(det.Box)+fmt.Sprintf(" edge=%.2f crowd=%.3f gap=%.3f ecc=%.3f ein=%.3f ew=%d ecol=%v ein2=%.3f ein0=%.3f", det.edge, det.crowd, det.gap, det.grey.rho, det.grey.inner, det.grey.why, det.grey.colour, det.greySecond.inner, det.grey.startInner)+fmt.Sprintf(" figure=%d/%d/%v fine=%.3f fine2=%.3f inner=%.3f inner2=%.3f", det.figure.parts, det.figure.outside, det.figure.ok, det.fine, det.fineSecond, det.inner, det.innerSecond)+" x="+decideLine(det.features))
			}
			if dumpF != nil && os.Getenv("COUNTERLENS_BENCH_WHY") != "" && (det.Confidence < 0.5 && det.edge < d.cfg.EdgeMid+0.5 && det.score > 0.7 || det.Confidence >= 0.5 && (bi < 0 || best < 0.5)) {
				edgeWhy(d, im.img, det.Box)
			}
			if dir := os.Getenv("COUNTERLENS_BENCH_WHY"); dir != "" && os.Getenv("COUNTERLENS_BENCH_CROPS") != "" && det.Confidence < 0.5 && bi >= 0 && best >= 0.5 && det.edge < d.cfg.EdgeMid {
				saveCrop(b, filepath.Join(os.Getenv("COUNTERLENS_BENCH_CROPS"), fmt.Sprintf("edge%03d_%s.png", ii, det.LogoID)), im.img, det.Box)
			}
			if dir := os.Getenv("COUNTERLENS_BENCH_CROPS"); dir != "" && det.Confidence >= 0.5 && (bi < 0 || best < 0.5) {
				saveCrop(b, filepath.Join(dir, fmt.Sprintf("fp%03d_%s_%s.png", ii, det.LogoID, strings.ReplaceAll(im.where(det.Box), "=", "-"))), im.img, det.Box)
			}
			// COUNTERLENS_BENCH_CTXCROPS=dir saves the crops of the detections
			// at 0.5 with parts of a figure next to them (context.go).
			if dir := os.Getenv("COUNTERLENS_BENCH_CTXCROPS"); dir != "" && det.Confidence >= 0.5 && det.figure.parts > 0 {
				saveCrop(b, filepath.Join(dir, fmt.Sprintf("ctx%03d_%s_%d_%v_p%d_%d.png", ii, det.LogoID, max(det.Box.Dx(), det.Box.Dy()), bi >= 0 && best >= 0.5, det.figure.parts, det.figure.outside)), im.img, det.Box)
			}
			if bi >= 0 && best >= 0.5 {
				used[det.LogoID][bi] = true
				s.tp++
				s.ious = append(s.ious, best)
			} else {
				s.fp++
			}
		}
		for k, u := range used {
			for j, ok := range u {
				if !ok {
					s.fn++
					if dumpF != nil {
						r := im.gt[k][j]
						fmt.Fprintf(dumpF, "MISS %s %d %d %s blur=%d q=%d\n", k, max(r.Dx(), r.Dy()), min(r.Dx(), r.Dy()), im.how[k][j], im.blur, im.quality)
						if os.Getenv("COUNTERLENS_BENCH_WHY") != "" {
							whyMissed(d, im.img, k, r)
						}
						if dir := os.Getenv("COUNTERLENS_BENCH_CROPS"); dir != "" {
							saveCrop(b, filepath.Join(dir, fmt.Sprintf("miss%03d_%s.png", ii, k)), im.img, r)
						}
					}
				}
			}
		}
	}
	s.elapsed = time.Since(start)
	s.cpu = cpuclock.Used() - cpu0
	s.images = len(set)
	return s
}

// BenchmarkLogos measures the detector on a generated dev set of the 16
// registered brands composited into the opencv sample photos, then again
// with 1,000 registered marks. It needs COUNTERLENS_BENCH_DATA pointing at a
// folder with simple-icons/icons/*.svg and opencv-data/*.jpg|png (make
// bench-logos fetches them). Run with -benchtime=1x: one pass is the set.
// COUNTERLENS_BENCH_IMAGES and COUNTERLENS_BENCH_SEED change the set's size
// and seed (42; calibrate on it, check on another).
// COUNTERLENS_BENCH_DUMP=file writes every detection down to confidence
// 0.001 with its verdict, for calibrating Config.ShapeMid.
// COUNTERLENS_BENCH_BRANDS=heldout registers 16 brands never tuned on
// instead of ours, =random 16 drawn by the seed (benchBrands).
func BenchmarkLogos(b *testing.B) {
	root := os.Getenv("COUNTERLENS_BENCH_DATA")
	if root == "" {
		b.Skip("COUNTERLENS_BENCH_DATA is not set: it must point at a folder with simple-icons/icons/ and opencv-data/ (make bench-logos fetches them)")
	}
	iconDir := filepath.Join(root, "simple-icons", "icons")
	svgs, _ := filepath.Glob(filepath.Join(iconDir, "*.svg"))
	if len(svgs) < 1100 {
		b.Fatalf("need the simple-icons set in %s, found %d icons", iconDir, len(svgs))
	}
	var bgs []image.Image
	for _, ext := range []string{"*.jpg", "*.png"} {
		files, _ := filepath.Glob(filepath.Join(root, "opencv-data", ext))
		for _, f := range files {
			base := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
			if slices.Contains(nullCorpus, base) {
				continue // held out: the detector calibrates on them
			}
			img := loadImage(b, f)
			if min(img.Bounds().Dx(), img.Bounds().Dy()) >= 240 {
				bgs = append(bgs, img)
			}
		}
	}
	if len(bgs) < 5 {
		b.Fatalf("need photos in %s/opencv-data", root)
	}
	seed := uint64(42)
	if v, err := strconv.ParseUint(os.Getenv("COUNTERLENS_BENCH_SEED"), 10, 64); err == nil {
		seed = v
	}
	// COUNTERLENS_BENCH_BRANDS=dev|heldout|random chooses the 16 registered
	// brands (benchBrands).
	mode := os.Getenv("COUNTERLENS_BENCH_BRANDS")
	var icons []string
	for _, p := range svgs {
		icons = append(icons, strings.TrimSuffix(filepath.Base(p), ".svg"))
	}
	brands, err := benchBrands(mode, seed, icons)
	if err != nil {
		b.Fatal(err)
	}
	registered := map[string]image.Image{}
	for _, n := range brands {
		img, err := rasterSVG(filepath.Join(iconDir, n+".svg"))
		if err != nil {
			b.Fatal(err)
		}
		registered[n] = img
	}
	if mode != "" && mode != "dev" {
		fmt.Printf("logos: brands=%s registered %s\n", mode, strings.Join(brands, " "))
	}
	// The rest of the icons, in a fixed shuffled order: the first ones fill
	// the 1,000-reference run, the others (and the look-alikes) are the
	// distractors placed in scenes, never registered.
	rng := rand.New(rand.NewPCG(7, 11))
	// With random brands, the held-out ones are neither fill nor
	// distractors either: training never sees them.
	var others []string
	for _, n := range icons {
		if !slices.Contains(brands, n) && !slices.Contains(lookAlikes, n) && (mode != "random" || !slices.Contains(heldoutBrands, n)) {
			others = append(others, n)
		}
	}
	sort.Strings(others)
	rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	// Marks that are in the opencv-doc scenes themselves (opencv-logo.png,
	// LinuxLogo.jpg) are never registered as fill: finding them there
	// would be right, yet counted false. Each is replaced by an icon from
	// the far end of the order, which is never a distractor.
	fillNames := slices.Clone(others[:984])
	spare := len(others) - 1
	for i, n := range fillNames {
		if slices.Contains(sceneMarks, n) {
			fillNames[i], spare = others[spare], spare-1
		}
	}
	var distractors []image.Image
	distractorNames = nil
	for _, n := range append(slices.Clone(lookAlikes), others[984:984+200]...) {
		if img, err := rasterSVG(filepath.Join(iconDir, n+".svg")); err == nil {
			distractors = append(distractors, img)
			distractorNames = append(distractorNames, n)
		}
	}
	nImages := 150
	if v, err := strconv.Atoi(os.Getenv("COUNTERLENS_BENCH_IMAGES")); err == nil && v > 0 {
		nImages = v
	}
	set := buildDevSet(b, nImages, seed, registered, distractors, bgs)
	if os.Getenv("COUNTERLENS_BENCH_COVER") != "" {
		coverage(b, set)
		return
	}

	refs16 := refsFrom(registered)
	refs1000 := slices.Clone(refs16)
	for _, n := range fillNames {
		if img, err := rasterSVG(filepath.Join(iconDir, n+".svg")); err == nil {
			refs1000 = append(refs1000, Reference{LogoID: n, BrandID: n, Image: img})
		}
	}
	for _, tc := range []struct {
		name string
		refs []Reference
	}{{"refs=16", refs16}, {"refs=1000", refs1000}} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := DefaultConfig()
			if os.Getenv("COUNTERLENS_BENCH_DUMP") != "" {
				cfg.MinConfidence = 0.001
				// COUNTERLENS_BENCH_DUMP_CONF dumps at another floor (0.5:
				// as Detect runs, with matchShapes' report cut).
				if v, err := strconv.ParseFloat(os.Getenv("COUNTERLENS_BENCH_DUMP_CONF"), 64); err == nil && v > 0 {
					cfg.MinConfidence = v
				}
				dumpF, _ = os.Create(os.Getenv("COUNTERLENS_BENCH_DUMP"))
			}
			// COUNTERLENS_BENCH_ECC=1 aligns the grey template at every
			// match reported (ecc.go; the dump's ecc=, ein=, ew=).
			cfg.GreyAlign = os.Getenv("COUNTERLENS_BENCH_ECC") != ""
			if v, err := strconv.ParseBool(os.Getenv("COUNTERLENS_BENCH_GREYBYINK")); err == nil {
				cfg.GreyByInk = v
			}
			// COUNTERLENS_BENCH_GAPMIN sets the gap check's floor (gaps.go);
			// 0 turns it off.
			if v, err := strconv.ParseFloat(os.Getenv("COUNTERLENS_BENCH_GAPMIN"), 64); err == nil && v >= 0 {
				cfg.GapMin = v
			}
			// COUNTERLENS_BENCH_LEARNEDMIN sets the learned decision's
			// reporting level (0.5 with a dump at 0.5: every detection the
			// levels from 0.5 up would report, for choosing LearnedMin).
			if v, err := strconv.ParseFloat(os.Getenv("COUNTERLENS_BENCH_LEARNEDMIN"), 64); err == nil && v >= 0 && v < 1 {
				cfg.LearnedMin = v
			}
			d, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			// COUNTERLENS_BENCH_TRAIN=1 (with a dump at 0.5) writes the
			// learned decision's training rows: every match it considers,
			// every feature read, unsuppressed (scripts/fit-logos.sh).
			d.decideStudy = os.Getenv("COUNTERLENS_BENCH_TRAIN") != ""
			t0 := time.Now()
			if err := d.SetReferences(tc.refs); err != nil {
				b.Logf("some references unusable: %v", err)
			}
			prep := time.Since(t0)
			if os.Getenv("COUNTERLENS_BENCH_REGIONS") != "" {
				regionStats(b, d, set)
				return
			}
			if os.Getenv("COUNTERLENS_BENCH_RANKS") != "" {
				rankStats(b, d, set)
				return
			}
			if os.Getenv("COUNTERLENS_BENCH_GATES") != "" {
				gateStats(b, d, set)
				return
			}
			if os.Getenv("COUNTERLENS_BENCH_CUTSTATS") != "" {
				cutStats(b, d, set)
				return
			}
			// The same set loaded from stored descriptors, as a second worker does.
			var descRefs []Reference
			descBytes := 0
			for _, r := range tc.refs {
				if desc, ok := d.Descriptor(r.LogoID); ok {
					descRefs = append(descRefs, Reference{LogoID: r.LogoID, BrandID: r.BrandID, Descriptor: desc})
					descBytes += len(desc)
				}
			}
			d2, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := d2.SetReferences(descRefs); err != nil {
				b.Fatalf("loading descriptors: %v", err)
			}
			load := time.Since(t1)
			_ = d2.Close()
			fmt.Printf("logos %s: prepare=%s load_descriptors=%s descriptors=%d bytes=%d\n", tc.name,
				prep.Round(time.Millisecond), load.Round(time.Millisecond), len(descRefs), descBytes)
			b.ReportAllocs()
			var s devScore
			for b.Loop() {
				s = evaluate(b, d, set)
			}
			ms := float64(s.elapsed.Milliseconds()) / float64(s.images)
			cpuMs := float64(s.cpu.Milliseconds()) / float64(s.images)
			b.ReportMetric(s.precision(), "precision")
			b.ReportMetric(s.recall(), "recall")
			b.ReportMetric(s.f1(), "F1")
			b.ReportMetric(s.medianIoU(), "medianIoU")
			b.ReportMetric(ms, "ms/image")
			b.ReportMetric(cpuMs, "cpu_ms/image")
			if n := d.verified.Load(); n > 0 {
				fmt.Printf("logos %s: verification: %d matches verified, %.2f a photo, %.1f µs each, %.3f ms a photo\n", tc.name, n,
					float64(n)/float64(s.images), float64(d.verifyTime.Load())/1e3/float64(n), float64(d.verifyTime.Load())/1e6/float64(s.images))
			}
			fmt.Printf("logos %s: crowd check: %.3f ms a photo\n", tc.name, float64(d.crowdTime.Load())/1e6/float64(s.images))
			if n := d.eccRuns.Load(); n > 0 {
				fmt.Printf("logos %s: grey alignments: %.2f a photo, %.3f ms each, %.3f ms a photo\n", tc.name,
					float64(n)/float64(s.images), float64(d.eccTime.Load())/1e6/float64(n), float64(d.eccTime.Load())/1e6/float64(s.images))
			}
			fmt.Printf("logos %s: context check: %.3f ms a photo\n", tc.name, float64(d.contextTime.Load())/1e6/float64(s.images))
			fmt.Printf("logos %s: fine outline: %.3f ms a photo\n", tc.name, float64(d.fineTime.Load())/1e6/float64(s.images))
			fmt.Printf("logos %s: refinements (bestShift) in matchShapes: %.1f a photo\n", tc.name, float64(d.refined.Load())/float64(s.images))
			fmt.Printf("logos %s: seed=%d images=%d tp=%d fp=%d fn=%d precision=%.3f recall=%.3f F1=%.3f median_iou=%.3f ms_per_image=%.1f cpu_ms_per_image=%.1f prepare=%s\n",
				tc.name, seed, s.images, s.tp, s.fp, s.fn, s.precision(), s.recall(), s.f1(), s.medianIoU(), ms, cpuMs, prep.Round(time.Millisecond))
		})
	}
}

// whyMissed prints the candidate regions over a missed mark's box with
// their scores against its reference, gates ignored.
func whyMissed(d *Detector, img image.Image, logoID string, gt image.Rectangle) {
	ref := d.refs.Load().byID[logoID]
	g, scale := toGray(img, d.cfg.MaxSide, false)
	cands, col, err := photoCandidates(context.Background(), img, g, scale, d.cfg)
	if err != nil || ref == nil {
		return
	}
	type row struct {
		iou, free, gated, edge, ecc float64
		colour                      bool
		c                           *candidate
	}
	var rows []row
	for _, c := range cands {
		v := boxIoU(scaleRect(c.box, 1/scale), gt)
		if v < 0.5 {
			continue
		}
		free := 0.0
		if ref.aniso && c.alignedView() != nil {
			free = max(shapeScore(c.aligned, &ref.aligned[0]), shapeScore(c.aligned, &ref.aligned[1]))
		} else {
			for i := range ref.views {
				free = max(free, bestShift(c.shifted(), &ref.views[i]))
			}
		}
		rows = append(rows, row{v, free, scoreRef(c, ref, d.cfg, 0), edgeRatio(c, g, col), c.mo.ecc, c.colour, c})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].free > rows[j].free })
	fmt.Fprintf(dumpF, "WHY %s %v nullMax=%.3f aniso=%v ecc=%.2f regions=%d\n", logoID, gt, ref.nullMax, ref.aniso, ref.mo.ecc, len(rows))
	// The best box IoU of any region, grey and colour apart: a miss with
	// none at 0.5 needs a candidate generator first.
	var bestGrey, bestColour float64
	for _, c := range cands {
		v := boxIoU(scaleRect(c.box, 1/scale), gt)
		if c.colour {
			bestColour = max(bestColour, v)
		} else {
			bestGrey = max(bestGrey, v)
		}
	}
	fmt.Fprintf(dumpF, "  REGION best_grey=%.2f best_colour=%.2f all=%d\n", bestGrey, bestColour, len(cands))
	whyLooks(d, cands, scale, gt)
	if max(bestGrey, bestColour) < 0.5 {
		whyRegion(d, img, gt)
	}
	for _, r := range rows[:min(4, len(rows))] {
		fmt.Fprintf(dumpF, "  iou=%.2f free=%.3f gated=%.3f edge=%.2f ecc=%.2f colour=%v\n", r.iou, r.free, r.gated, r.edge, r.ecc, r.colour)
	}
	if len(rows) > 0 && rows[0].edge < d.cfg.EdgeMid {
		edgeWhy(d, img, gt)
	}
	// The near miss: the region scoring best against the reference, its
	// rasters (COUNTERLENS_BENCH_RASTERS=dir) and what stroke width,
	// parts and views change (nearWhy).
	bi := -1
	for i, r := range rows {
		if bi < 0 || max(r.gated, r.free) > max(rows[bi].gated, rows[bi].free) {
			bi = i
		}
	}
	if bi >= 0 {
		path := ""
		if dir := os.Getenv("COUNTERLENS_BENCH_RASTERS"); dir != "" {
			path = filepath.Join(dir, fmt.Sprintf("near_%s_%d_%d.png", logoID, gt.Min.X, gt.Min.Y))
		}
		a, _ := eccScore(rows[bi].c, ref, g, col, true, d.cfg.GreyByInk, nil)
		fmt.Fprintf(dumpF, "  %s iou=%.2f gated=%.3f colour=%v ecc=%.3f ein=%.3f ein0=%.3f ew=%d\n", nearWhy(rows[bi].c, ref, path), rows[bi].iou, rows[bi].gated, rows[bi].colour, a.rho, a.inner, a.startInner, a.why)
	}
	// What matchShapes kept for the regions over the box, and whether
	// repeated drops them: a mark scoring above its midpoint can still
	// lose its region to another reference or be taken for texture.
	// learned is the learned decision's probability and features (every
	// feature read, as in the training mode; "-" when the fit is under
	// decideFitMin or the frame cuts the region), which is what drops a
	// kept match; fit is its fit confidence (fitConfidence).
	flat := d.refs.Load().flat
	for _, m := range matchShapes(cands, flat, d.cfg) {
		if v := boxIoU(scaleRect(m.cand.box, 1/scale), gt); v >= 0.5 {
			fit := d.cfg.fitConfidence(m.score, m.ref.nullMax, max(m.cand.box.Dx(), m.cand.box.Dy()))
			second := "-"
			if m.secondRef != nil {
				second = m.secondRef.logoID
			}
			learned := "-"
			lm, null := d.cfg.liftRoundSmall(m)
			study := d.decideStudy
			d.decideStudy = true
			if det, ok := d.decideShape(lm, null, max(lm.cand.box.Dx(), lm.cand.box.Dy()), cands, g, col, flat); ok {
				learned = fmt.Sprintf("%.3f ew=%d ein2=%.3f x=%s", det.Confidence, det.grey.why, det.greySecond.inner, decideLine(det.features))
			}
			d.decideStudy = study
			fmt.Fprintf(dumpF, "  kept iou=%.2f ref=%s near=%v score=%.3f second=%.3f (%s) fit=%.3f repeated=%v learned=%s\n", v, m.ref.logoID, m.near, m.score, m.second, second, fit, repeated(m.cand, cands, d.cfg), learned)
			whyContest(d, m, cands, g, col, flat)
		}
	}
}

// underStats describes what a mark of colour p.FG is drawn on within r:
// its CIE76 colour distance (Lab) from the mean colour under it (the
// panel's, or the photo's), and the photo's luminance spread there
// (texture; 0 on a panel).
func underStats(dst *image.RGBA, r image.Rectangle, p synth.Placement) string {
	if p.Patch != nil {
		return fmt.Sprintf("dE=%.0f tex=0", labDist(p.FG, *p.Patch))
	}
	var sr, sg, sb, s1, s2, n float64
	for y := max(0, r.Min.Y); y < min(dst.Bounds().Dy(), r.Max.Y); y += 2 {
		for x := max(0, r.Min.X); x < min(dst.Bounds().Dx(), r.Max.X); x += 2 {
			c := dst.RGBAAt(x, y)
			sr, sg, sb = sr+float64(c.R), sg+float64(c.G), sb+float64(c.B)
			l := 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
			s1, s2 = s1+l, s2+l*l
			n++
		}
	}
	n = max(n, 1)
	mean := color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255}
	return fmt.Sprintf("dE=%.0f tex=%.0f", labDist(p.FG, mean), math.Sqrt(max(0, s2/n-(s1/n)*(s1/n))))
}

// labDist is the CIE76 distance of two sRGB colours.
func labDist(a, b color.RGBA) float64 {
	la, lb := labOf(a.R, a.G, a.B), labOf(b.R, b.G, b.B)
	return math.Sqrt((la[0]-lb[0])*(la[0]-lb[0]) + (la[1]-lb[1])*(la[1]-lb[1]) + (la[2]-lb[2])*(la[2]-lb[2]))
}

// decideLine formats x for the benchmark's dump: the features in order,
// comma-separated ("-" when the match was not decided by the model).
func decideLine(x *[numDecide]float64) string {
	if x == nil {
		return "-"
	}
	var sb strings.Builder
	for i, v := range x {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatFloat(v, 'f', 4, 64))
	}
	return sb.String()
}

// whyContest prints, for a kept match over a missed mark, the best score
// of each brand within 0.3 of it on the region (best first, at most 6):
// the reference, its score, its null-corpus best and midpoint (fitMid),
// its fine outline fit and its grey template's inner correlation.
func whyContest(d *Detector, m shapeMatch, cands []*candidate, g grayImage, col rgbImage, flat []*prepared) {
	L := max(m.cand.box.Dx(), m.cand.box.Dy())
	type contender struct {
		r *prepared
		s float64
	}
	best := map[string]contender{}
	for _, r := range flat {
		if !d.cfg.inEccWindow(m.cand, r) {
			continue
		}
		if s := scoreRef(m.cand, r, d.cfg, m.score-0.3); s >= m.score-0.3 && s > best[r.brandID].s {
			best[r.brandID] = contender{r, s}
		}
	}
	list := make([]contender, 0, len(best))
	for _, c := range best {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].s > list[j].s })
	rg, rgok := regionGrid(m.cand)
	for _, c := range list[:min(6, len(list))] {
		fine := -1.0
		if rgok {
			if v, ok := fineOutline(m.cand, &rg, c.r, g, col); ok {
				fine = v
			}
		}
		a := d.alignGrey(m.cand, c.r, g, col, nil)
		fmt.Fprintf(dumpF, "    contest %s score=%.3f null=%.3f mid=%.3f z=%.2f fine=%.3f ein=%.3f\n", c.r.logoID, c.s, c.r.nullMax, d.cfg.fitMid(c.r.nullMax, L), (c.s-d.cfg.fitMid(c.r.nullMax, L))/d.cfg.ShapeWidth, fine, a.inner)
	}
}
