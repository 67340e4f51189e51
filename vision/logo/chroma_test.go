package logo

import (
	"context"
	"image"
	"image/color"
	"math/rand/v2"
	"strings"
	"testing"

	xdraw "golang.org/x/image/draw"

	"counterlens/internal/synth"
)

// onPhoto1000 draws mark straight onto scene scaled to 1000 px on its longer
// side (the benchmark's photos), long px long in colour fg at a place and
// angle drawn from seed, then blurs and JPEG-compresses it; it returns the
// photo and the mark's box.
func onPhoto1000(t *testing.T, mark, scene image.Image, long float64, fg color.RGBA, blur int, seed uint64) (image.Image, image.Rectangle) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 9))
	b := scene.Bounds()
	w, h := 1000, 1000*b.Dy()/b.Dx()
	if b.Dy() > b.Dx() {
		w, h = 1000*b.Dx()/b.Dy(), 1000
	}
	bg := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(bg, bg.Bounds(), scene, b, xdraw.Src, nil)
	cx, cy := 100+rng.Float64()*float64(w-200), 100+rng.Float64()*float64(h-200)
	gt := synth.Composite(bg, synth.MarkAlpha(mark), synth.Placement{Long: long, Angle: rng.Float64()*40 - 20, Persp: 0.03, CX: cx, CY: cy, FG: fg}, rng)
	return degrade(t, bg, blur, 2, 70, rng), gt
}

// TestChromaLadderFindsColouredMarksOnTexture draws small saturated marks
// (55-80 px of a 1000-px photo, no panel) onto busy photos, where neither
// the grey ladder nor the flat colour zones yield a region over them (the
// cause of most of the benchmark's misses without a region): the a*/b*
// ladder must, and the detector must report the mark and nothing else.
func TestChromaLadderFindsColouredMarksOnTexture(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	scenes := loadDir(t, "testdata/scenes")
	d := newTestDetector(t, refsFrom(marks))
	cfg := DefaultConfig()
	without := cfg
	without.ChromaStep = 0
	red, green, yellow, blue := color.RGBA{220, 30, 40, 255}, color.RGBA{40, 180, 60, 255}, color.RGBA{240, 210, 30, 255}, color.RGBA{50, 60, 230, 255}
	cases := map[string]struct {
		long float64
		fg   color.RGBA
		blur int
		seed uint64
	}{
		"adidas/HappyFish":     {55, green, 1, 1},
		"fila/apple":           {55, blue, 1, 39},
		"adidas/baboon":        {55, green, 1, 65},
		"underarmour/baboon":   {55, blue, 1, 95},
		"nike/building":        {80, yellow, 0, 110},
		"puma/building":        {55, green, 1, 113},
		"underarmour/building": {55, blue, 1, 127},
		"fila/fruits":          {80, red, 0, 136},
		"playstation/home":     {55, blue, 1, 175},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			brand, scene, _ := strings.Cut(name, "/")
			img, gt := onPhoto1000(t, marks[brand], scenes[scene], tc.long, tc.fg, tc.blur, tc.seed)
			g, scale := toGray(img, cfg.MaxSide, false)
			cover := func(cs []*candidate) float64 {
				best := 0.0
				for _, c := range cs {
					best = max(best, boxIoU(scaleRect(c.box, 1/scale), gt))
				}
				return best
			}
			before, _, err := photoCandidates(context.Background(), img, g, scale, without)
			if err != nil {
				t.Fatal(err)
			}
			if v := cover(before); v >= 0.5 {
				t.Errorf("the grey ladder and colour zones already cover the mark (box IoU %.2f): not a case for the chroma ladder", v)
			}
			c, cscale := toRGB(img, cfg.ColourSide)
			chroma, err := chromaCandidates(context.Background(), c, scale/cscale, cfg, map[boxKey]bool{})
			if err != nil {
				t.Fatal(err)
			}
			if v := cover(chroma); v < 0.6 {
				t.Errorf("no chroma region covers the mark at %v: best box IoU %.2f of %d regions", gt, v, len(chroma))
			}
			wantOnly(t, d, img, brand, gt)
		})
	}
}

// TestChromaLevels spans both sides of neutral within the 8-bit axis.
func TestChromaLevels(t *testing.T) {
	got := chromaLevels(24)
	want := []uint8{104, 152, 80, 176, 56, 200, 32, 224}
	if string(got) != string(want) {
		t.Errorf("chromaLevels(24) = %v, want %v", got, want)
	}
}

// TestChromaLadderKeepsStrokesTheMedianErases reads a benchmark photo
// (testdata/photos/apple-on-stripes.jpg: seed 46's photo 59, an opencv-doc
// photo with the simple-icons Apple mark 43 px high in purple across a
// white and black edge, as bright as what it lies on, JPEG quality 55):
// only a chroma axis separates the mark, and its leaf and bite are strokes
// a colour pixel or two wide, which the colour raster's 3x3 median
// erodes. Its chroma regions cut from the raster before the median must
// fit the reference clearly better than those cut after it, and the
// detector must report the mark and nothing else.
func TestChromaLadderKeepsStrokesTheMedianErases(t *testing.T) {
	marks := loadDir(t, "testdata/marks")
	d := newTestDetector(t, refsFrom(marks))
	cfg := DefaultConfig()
	img := loadImage(t, "testdata/photos/apple-on-stripes.jpg")
	gt := image.Rect(255, 82, 295, 125)
	ref := d.refs.Load().byID["apple"]
	_, scale := toGray(img, cfg.MaxSide, false)
	// fit is the best silhouette score against the reference of the
	// regions over the mark (whyMissed's free score).
	fit := func(cs []*candidate) float64 {
		best := 0.0
		for _, c := range cs {
			if boxIoU(scaleRect(c.box, 1/scale), gt) < 0.5 {
				continue
			}
			for i := range ref.views {
				best = max(best, bestShift(c.shifted(), &ref.views[i]))
			}
		}
		return best
	}
	raw, cscale := toRGB(img, cfg.ColourSide)
	smooth, err := raw.smoothed()
	if err != nil {
		t.Fatal(err)
	}
	before, err := chromaCandidates(context.Background(), smooth, scale/cscale, cfg, map[boxKey]bool{})
	if err != nil {
		t.Fatal(err)
	}
	after, err := chromaCandidates(context.Background(), raw, scale/cscale, cfg, map[boxKey]bool{})
	if err != nil {
		t.Fatal(err)
	}
	if b, a := fit(before), fit(after); a < b+0.05 {
		t.Errorf("chroma regions over the mark fit the reference %.3f before the median, %.3f after it: want at least 0.05 better before", a, b)
	}
	wantOnly(t, d, img, "apple", gt)
}
