package logo

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"reflect"
	"testing"

	"gocv.io/x/gocv"

	"counterlens/internal/synth"
)

// placedRegion composites mark, long px wide, dark on a light patch into
// the home photo at angle degrees with corner jitter persp, box-blurred
// over 3x3 pixels, JPEG 60, placed by seed, and returns the region over it
// (box IoU 0.6 or more) that fits the prepared reference p best, with its
// shape score and the rasters it was cut from; c is nil when no region
// covers the mark.
func placedRegion(t *testing.T, mark *image.Alpha, p *prepared, long, angle, persp float64, seed uint64) (c *candidate, score float64, g grayImage, col rgbImage) {
	t.Helper()
	over, g, col := placedRegions(t, mark, long, angle, persp, seed)
	cfg := DefaultConfig()
	for _, k := range over {
		if s := scoreRef(k, p, cfg, 0); c == nil || s > score {
			c, score = k, s
		}
	}
	return c, score, g, col
}

// placedRegions places mark as placedRegion does and returns every region
// over it (box IoU 0.6 or more) and the rasters they were cut from.
func placedRegions(t *testing.T, mark *image.Alpha, long, angle, persp float64, seed uint64) (over []*candidate, g grayImage, col rgbImage) {
	t.Helper()
	scene := loadImage(t, "testdata/scenes/home.jpg")
	rng := rand.New(rand.NewPCG(seed, 11))
	bg := toRGBA(scene)
	gt := synth.Composite(bg, mark, synth.Placement{Long: long, Angle: angle, Persp: persp, CX: 300, CY: 220, FG: black, Patch: &white}, rng)
	img := degrade(t, bg, 1, 2, 60, rng)
	// The regions at the ladder's levels, as the tests reading this
	// were written for (the mid cut, midcut.go, moves the fine outline's
	// lead of adidas at 80 px over bose's from 0.05 to 0.046).
	cfg := DefaultConfig()
	cfg.MidCut = false
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, col, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range cands {
		if boxIoU(scaleRect(k.box, 1/scale), gt) >= 0.6 {
			over = append(over, k)
		}
	}
	return over, g, col
}

// eccPlacement places mark as placedRegion does and returns the best
// region's shape score and p's grey alignment on it as decideShape reads
// it, with the fine outline's pose for a second start (rho, ok as
// eccScore returns them); found is false when no region covers the mark.
func eccPlacement(t *testing.T, mark *image.Alpha, p *prepared, long, angle, persp float64, seed uint64) (score, rho, inner float64, ok, innerOK, found bool) {
	t.Helper()
	best, score, g, col := placedRegion(t, mark, p, long, angle, persp, seed)
	if best == nil {
		return 0, 0, 0, false, false, false
	}
	a, ok := eccScore(best, p, g, col, true, false, finePoseOnGrey(best, p, g, col))
	return score, a.rho, a.inner, ok, a.innerOK, true
}

// finePoseOnGrey is the fine outline's pose of p on c as decideShape
// gives it to the grey alignment (finePoseFit.templateToGrey), nil when
// there is none.
func finePoseOnGrey(c *candidate, p *prepared, g grayImage, col rgbImage) *homography {
	rg, ok := regionGrid(c)
	if !ok {
		return nil
	}
	f, ok := finePoseSearch(c, &rg, p, g, col)
	if !ok {
		return nil
	}
	h, ok := f.templateToGrey(c, &rg, g, col)
	if !ok {
		return nil
	}
	return &h
}

// TestECCStartsAgainFromTheFinePose: Coca-Cola's mark, 80-260 px at
// -28° to 28° under 0.08 perspective in black straight on the home photo
// (no panel), blurred, noise 2, JPEG 70 (placement seed 23), is found by
// a grey region; the grey alignment from the matcher's pose leaves it,
// and eccScore given the fine outline's pose starts again from it and
// reads the alignment. (The case was JBL's mark in orange, a colour
// region, until colour regions were read by their ink: it now aligns
// from the matcher's pose.)
func TestECCStartsAgainFromTheFinePose(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	cfg := DefaultConfig()
	p, err := prepare(Reference{LogoID: "cocacola", BrandID: "cocacola", Image: marks["cocacola"]}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(23, 11))
	long, angle := 80+rng.Float64()*180, -28+rng.Float64()*56
	bg := toRGBA(loadImage(t, "testdata/scenes/home.jpg"))
	gt := synth.Composite(bg, synth.MarkAlpha(marks["cocacola"]), synth.Placement{Long: long, Angle: angle, Persp: 0.08, CX: 300, CY: 220, FG: black}, rng)
	img := degrade(t, bg, 1, 2, 70, rng)
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, col, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, best := bestRegionOver(cands, scale, gt, 0.6, p, cfg)
	if c == nil {
		t.Fatal("no region over the mark")
	}
	from, ok := eccScore(c, p, g, col, false, false, nil)
	t.Logf("region colour %v, score %.3f; from the matcher's pose: read %v (why %d)", c.colour, best, ok, from.why)
	if ok || from.why != eccNoConvergence && from.why != eccLeftPose {
		t.Fatalf("from the matcher's pose: read %v, why %d: the case no longer fails to align", ok, from.why)
	}
	fine := finePoseOnGrey(c, p, g, col)
	if fine == nil {
		t.Fatal("no fine pose")
	}
	a, ok := eccScore(c, p, g, col, false, false, fine)
	t.Logf("with the fine pose: read %v (why %d), rho %.3f, inner %.3f", ok, a.why, a.rho, a.inner)
	if !ok || !a.innerOK {
		t.Errorf("with the fine pose: read %v (why %d), inner read %v; want it read", ok, a.why, a.innerOK)
	}
}

// bestRegionOver is the region of cands (cut from a raster at scale) over
// box gt (box IoU minIoU or more) where p scores highest, and that score;
// nil when none scores over 0.
func bestRegionOver(cands []*candidate, scale float64, gt image.Rectangle, minIoU float64, p *prepared, cfg Config) (c *candidate, best float64) {
	for _, k := range cands {
		if s := scoreRef(k, p, cfg, 0); boxIoU(scaleRect(k.box, 1/scale), gt) >= minIoU && s > best {
			c, best = k, s
		}
	}
	return c, best
}

// heldWordmarkSizes and heldWordmarkPhoto are the case of
// TestLearnedDecisionTellsMarkFromItsOutline:
// mark (The North Face's wordmark, or its blob) at long px, 20° and 0.07
// perspective, black on a white panel in the home photo, box-blurred,
// noise 2, JPEG 60, placed by seed. It returns the photo and the mark's box.
var heldWordmarkSizes = []struct {
	long float64
	seed uint64
}{{100, 1001}, {140, 1403}}

func heldWordmarkPhoto(t *testing.T, mark *image.Alpha, long float64, seed uint64) (image.Image, image.Rectangle) {
	t.Helper()
	bg := toRGBA(loadImage(t, "testdata/scenes/home.jpg"))
	rng := rand.New(rand.NewPCG(seed, 11))
	gt := synth.Composite(bg, mark, synth.Placement{Long: long, Angle: 20, Persp: 0.07, CX: 300, CY: 220, FG: black, Patch: &white}, rng)
	return degrade(t, bg, 1, 2, 60, rng), gt
}

// blobOf is mark's silhouette closed over gaps of about a tenth of
// its longer side and with its holes filled: a blob with the mark's
// outline and none of its inner strokes, counters or gaps.
func blobOf(t *testing.T, mark *image.Alpha) *image.Alpha {
	t.Helper()
	b := mark.Bounds()
	w, h := b.Dx(), b.Dy()
	r := max(2, max(w, h)/20)
	pad := 2 * r
	W, H := w+2*pad, h+2*pad
	buf := make([]byte, W*H)
	for y := range h {
		for x := range w {
			if mark.Pix[y*mark.Stride+x] >= 128 {
				buf[(y+pad)*W+x+pad] = 255
			}
		}
	}
	m, err := gocv.NewMatFromBytes(H, W, gocv.MatTypeCV8U, buf)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	k := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(2*r+1, 2*r+1))
	defer k.Close()
	closed := gocv.NewMat()
	defer closed.Close()
	gocv.MorphologyEx(m, &closed, gocv.MorphClose, k)
	pix := closed.ToBytes()
	// Fill holes: everything the outside cannot reach is on.
	out := make([]bool, W*H)
	stack := []int{0}
	out[0] = true
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%W, i/W
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			xx, yy := x+d[0], y+d[1]
			if xx < 0 || yy < 0 || xx >= W || yy >= H {
				continue
			}
			if j := yy*W + xx; !out[j] && pix[j] < 128 {
				out[j] = true
				stack = append(stack, j)
			}
		}
	}
	a := image.NewAlpha(image.Rect(0, 0, W, H))
	for i := range out {
		if !out[i] {
			a.Pix[i] = 255
		}
	}
	return a
}

// TestECCReadsMarksHighAndBlobsLow: registered marks with inner detail
// (wordmarks, a detailed disc, stripes, letters in a plate) composited at
// 20° under 0.07 perspective, box-blurred and JPEG 60, 80 and 200 px
// long, align on their own reference with an inner correlation (over the
// template's filled outline) of markMin or more, and the same marks'
// filled outlines (the blob a fold of cloth or a fill reference makes,
// which fits the silhouette) under blobMax or not at all. The correlation
// over the whole template does not tell them apart: the blobs reach 0.8
// to 0.94 there, the ground around the outline being most of its
// variance.
func TestECCReadsMarksHighAndBlobsLow(t *testing.T) {
	const markMin, blobMax = 0.9, 0.5
	marks := loadDir(t, "testdata/marks")
	cfg := DefaultConfig()
	for _, brand := range []string{"cocacola", "newbalance", "starbucks", "adidas", "playstation", "fila", "jbl"} {
		p, err := prepare(Reference{LogoID: brand, BrandID: brand, Image: marks[brand]}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		a := synth.MarkAlpha(marks[brand])
		blob := blobOf(t, a)
		for _, long := range []float64{80, 200} {
			t.Run(fmt.Sprintf("%s/%vpx/mark", brand, long), func(t *testing.T) {
				score, rho, inner, ok, iok, found := eccPlacement(t, a, p, long, 20, 0.07, uint64(long))
				if !found {
					t.Fatal("no region over the mark")
				}
				t.Logf("score %.3f ecc %.3f inner %.3f", score, rho, inner)
				if !ok || !iok || inner < markMin {
					t.Errorf("inner correlation %.3f (read %v, %v), want >= %.2f", inner, ok, iok, markMin)
				}
			})
			t.Run(fmt.Sprintf("%s/%vpx/blob", brand, long), func(t *testing.T) {
				score, rho, inner, ok, iok, found := eccPlacement(t, blob, p, long, 20, 0.07, uint64(long))
				if !found {
					t.Fatal("no region over the blob")
				}
				t.Logf("score %.3f ecc %.3f inner %.3f", score, rho, inner)
				if ok && iok && inner >= blobMax {
					t.Errorf("inner correlation %.3f, want under %.2f or not read", inner, blobMax)
				}
			})
		}
	}
}

// TestECCTemplateSurvivesDescriptor: every reference's grey template comes
// back from its descriptor as prepared, at most eccSide on its longer side.
func TestECCTemplateSurvivesDescriptor(t *testing.T) {
	refs := refsFrom(loadDir(t, "testdata/marks"))
	a := newTestDetector(t, refs)
	for _, r := range refs {
		b, ok := a.Descriptor(r.LogoID)
		if !ok {
			t.Fatalf("no descriptor for %s", r.LogoID)
		}
		p, err := decodePrepared(b, a.descVer)
		if err != nil {
			t.Fatalf("%s: %v", r.LogoID, err)
		}
		want := a.refs.Load().byID[r.LogoID].tmpl
		if !reflect.DeepEqual(p.tmpl, want) {
			t.Errorf("%s: template %dx%d from the descriptor, %dx%d prepared", r.LogoID, p.tmpl.w, p.tmpl.h, want.w, want.h)
		}
		if max(want.w, want.h) > eccSide || want.w*want.h != len(want.pix) || want.w == 0 {
			t.Errorf("%s: template %dx%d with %d pixels", r.LogoID, want.w, want.h, len(want.pix))
		}
	}
}

// colourOverTexture is a case of TestECCReadsColourMarksByTheirInk: mark
// brand, 180 px at 15° under 0.05 perspective, in colour fg straight on
// the middle of a busy photo (no panel), box-blurred, noise 2, JPEG 70.
type colourOverTexture struct {
	brand, scene string
	fg           color.RGBA
}

// colourOverTexturePlacement composites k's mark (or, when blob is set,
// its filled outline) and returns the colour region over it where k's
// reference scores highest, with the rasters it was cut from.
func colourOverTexturePlacement(t *testing.T, k colourOverTexture, p *prepared, mark *image.Alpha) (*candidate, grayImage, rgbImage) {
	t.Helper()
	cfg := DefaultConfig()
	bg := toRGBA(loadImage(t, "testdata/scenes/"+k.scene+".jpg"))
	rng := rand.New(rand.NewPCG(180, 11))
	b := bg.Bounds()
	gt := synth.Composite(bg, mark, synth.Placement{Long: 180, Angle: 15, Persp: 0.05, CX: float64(b.Dx()) / 2, CY: float64(b.Dy()) / 2, FG: k.fg}, rng)
	img := degrade(t, bg, 1, 2, 70, rng)
	g, scale := toGray(img, cfg.MaxSide, false)
	cands, col, err := photoCandidates(context.Background(), img, g, scale, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var colour []*candidate
	for _, c := range cands {
		if c.colour {
			colour = append(colour, c)
		}
	}
	c, best := bestRegionOver(colour, scale, gt, 0.6, p, cfg)
	if c == nil {
		t.Fatal("no colour region over the mark")
	}
	t.Logf("region score %.3f", best)
	return c, g, col
}

// TestECCReadsColourMarksByTheirInk: colour marks straight on busy photos
// (the fruit bowl's, the sweets', the baboon's fur) are cut by colour
// regions; read by luminance their inner correlation was 0.04-0.36 or not
// read at all, the ground's texture outweighing the mark. Read as
// nearness to the region's ink colour (inkNearness), the ground of other
// colours lies flat and the marks read markMin or more, while Fila's
// filled outline (a blob with its silhouette) on the same grounds reads
// under blobMax.
func TestECCReadsColourMarksByTheirInk(t *testing.T) {
	const markMin, blobMax = 0.7, 0.5
	yellow, red, blue := color.RGBA{240, 200, 20, 255}, color.RGBA{200, 20, 30, 255}, color.RGBA{20, 40, 160, 255}
	marks := loadDir(t, "testdata/marks")
	cfg := DefaultConfig()
	cases := map[string]struct {
		colourOverTexture
		blob bool
	}{
		"fila/fruits/red":           {colourOverTexture{"fila", "fruits", red}, false},
		"fila/smarties/yellow":      {colourOverTexture{"fila", "smarties", yellow}, false},
		"fila/baboon/yellow":        {colourOverTexture{"fila", "baboon", yellow}, false},
		"cocacola/fruits/red":       {colourOverTexture{"cocacola", "fruits", red}, false},
		"cocacola/fruits/blue":      {colourOverTexture{"cocacola", "fruits", blue}, false},
		"starbucks/smarties/yellow": {colourOverTexture{"starbucks", "smarties", yellow}, false},
		"starbucks/baboon/yellow":   {colourOverTexture{"starbucks", "baboon", yellow}, false},
		"starbucks/fruits/red":      {colourOverTexture{"starbucks", "fruits", red}, false},
		"fila-blob/fruits/red":      {colourOverTexture{"fila", "fruits", red}, true},
		"fila-blob/smarties/yellow": {colourOverTexture{"fila", "smarties", yellow}, true},
		"fila-blob/baboon/yellow":   {colourOverTexture{"fila", "baboon", yellow}, true},
	}
	for name, k := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := prepare(Reference{LogoID: k.brand, BrandID: k.brand, Image: marks[k.brand]}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			mark := synth.MarkAlpha(marks[k.brand])
			if k.blob {
				mark = blobOf(t, mark)
			}
			c, g, col := colourOverTexturePlacement(t, k.colourOverTexture, p, mark)
			a, ok := eccScore(c, p, g, col, false, true, finePoseOnGrey(c, p, g, col))
			t.Logf("read %v (why %d), by colour %v, inner %.3f", ok, a.why, a.colour, a.inner)
			switch {
			case k.blob && ok && a.innerOK && a.inner >= blobMax:
				t.Errorf("blob: inner correlation %.3f, want under %.2f or not read", a.inner, blobMax)
			case !k.blob && (!ok || !a.innerOK || !a.colour || a.inner < markMin):
				t.Errorf("mark: inner correlation %.3f (read %v, %v, by colour %v), want >= %.2f by colour", a.inner, ok, a.innerOK, a.colour, markMin)
			}
		})
	}
}
