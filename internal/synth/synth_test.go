package synth

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/font/opentype"
)

func TestHomographyMapsCorners(t *testing.T) {
	from := Quad{{10, 20}, {200, 35}, {190, 160}, {5, 150}}
	to := Rect(400, 300)
	h, err := Homography(from, to)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range from {
		x, y := Apply(h, p.X, p.Y)
		if math.Abs(x-to[i].X) > 1e-6 || math.Abs(y-to[i].Y) > 1e-6 {
			t.Errorf("corner %d maps to (%g, %g), want %v", i, x, y, to[i])
		}
	}
	// The centre of a parallelogram maps to the centre of the rectangle.
	par := Quad{{0, 0}, {100, 0}, {130, 50}, {30, 50}}
	if h, err = Homography(par, Rect(2, 2)); err != nil {
		t.Fatal(err)
	}
	if x, y := Apply(h, 65, 25); math.Abs(x-1) > 1e-9 || math.Abs(y-1) > 1e-9 {
		t.Errorf("centre maps to (%g, %g), want (1, 1)", x, y)
	}
	for name, q := range map[string]Quad{
		"one point":     {{5, 5}, {5, 5}, {5, 5}, {5, 5}},
		"three in line": {{0, 0}, {10, 0}, {20, 0}, {0, 10}},
	} {
		if _, err := Homography(q, to); err != ErrDegenerate {
			t.Errorf("%s: %v, want ErrDegenerate", name, err)
		}
	}
}

func TestQuadAtAndBounds(t *testing.T) {
	q := Quad{{10, 10}, {30, 10}, {30, 20}, {10, 20}}
	if p := q.At(0.5, 0.5); p != (Pt{20, 15}) {
		t.Errorf("centre %v", p)
	}
	if p := q.At(1, -1); p != (Pt{30, 0}) {
		t.Errorf("above the top-right corner: %v", p)
	}
	if b := q.Bounds(image.Rect(0, 0, 25, 100)); b != image.Rect(10, 10, 25, 21) {
		t.Errorf("bounds %v", b)
	}
}

// square is a black square of side n on white, opaque.
func square(n, margin int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, n+2*margin, n+2*margin))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(margin, margin, margin+n, margin+n), image.Black, image.Point{}, draw.Src)
	return img
}

func TestMarkAlphaTrimsToTheInk(t *testing.T) {
	a := MarkAlpha(square(20, 7))
	if a.Bounds().Dx() != 20 || a.Bounds().Dy() != 20 {
		t.Fatalf("opaque mark trimmed to %v, want 20x20", a.Bounds())
	}
	if a.AlphaAt(a.Bounds().Min.X, a.Bounds().Min.Y).A != 255 {
		t.Error("a dark pixel is not covered")
	}
	// A transparent mark: its alpha is the coverage.
	n := image.NewNRGBA(image.Rect(0, 0, 30, 30))
	for y := 5; y < 15; y++ {
		for x := 8; x < 20; x++ {
			n.SetNRGBA(x, y, color.NRGBA{200, 0, 0, 255})
		}
	}
	if b := MarkAlpha(n).Bounds(); b != image.Rect(8, 5, 20, 15) {
		t.Errorf("transparent mark trimmed to %v", b)
	}
}

func TestCompositeDrawsInsideTheBoxItReturns(t *testing.T) {
	mark := MarkAlpha(square(50, 0))
	for name, c := range map[string]struct {
		p    Placement
		want image.Rectangle // box of an unrotated, unjittered mark
	}{
		"flat":       {Placement{Long: 40, CX: 100, CY: 80, FG: color.RGBA{255, 0, 0, 255}}, image.Rect(80, 60, 120, 100)},
		"with patch": {Placement{Long: 40, CX: 100, CY: 80, FG: color.RGBA{255, 0, 0, 255}, Patch: &color.RGBA{0, 0, 255, 255}}, image.Rect(80, 60, 120, 100)},
		"rotated":    {Placement{Long: 40, Angle: 30, Persp: 0.05, CX: 100, CY: 80, FG: color.RGBA{255, 0, 0, 255}}, image.Rectangle{}},
	} {
		t.Run(name, func(t *testing.T) {
			dst := image.NewRGBA(image.Rect(0, 0, 200, 160))
			draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
			box := Composite(dst, mark, c.p, rand.New(rand.NewPCG(1, 2)))
			if c.want != (image.Rectangle{}) && box != c.want {
				t.Fatalf("box %v, want %v", box, c.want)
			}
			if box.Empty() || !box.In(dst.Bounds()) {
				t.Fatalf("box %v", box)
			}
			red := 0
			for y := range dst.Bounds().Dy() {
				for x := range dst.Bounds().Dx() {
					if p := dst.RGBAAt(x, y); p.R > 200 && p.G < 50 && p.B < 50 {
						red++
						if !image.Pt(x, y).In(box.Inset(-1)) {
							t.Fatalf("mark pixel (%d, %d) outside its box %v", x, y, box)
						}
					}
				}
			}
			if red < box.Dx()*box.Dy()/2 {
				t.Errorf("%d mark pixels in a %v box", red, box)
			}
			if corner := dst.RGBAAt(box.Min.X-3, box.Min.Y-3); (c.p.Patch != nil) != (corner.B > 200 && corner.R < 50) {
				t.Errorf("pixel beside the mark %v; patch %v", corner, c.p.Patch)
			}
		})
	}
}

func TestBannerIsDrawnWhereMeasured(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "vision", "ocr", "testdata", "LiberationSans-Bold.ttf"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := opentype.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	sz, err := BannerBox(f, "REPLICA 1:1", 30)
	if err != nil || sz.X < 100 || sz.Y < 30 {
		t.Fatalf("box %v, %v", sz, err)
	}
	for _, dark := range []bool{false, true} {
		dst := image.NewRGBA(image.Rect(0, 0, 400, 120))
		at := image.Pt(20, 30)
		if err := DrawBanner(dst, f, "REPLICA 1:1", 30, at, dark); err != nil {
			t.Fatal(err)
		}
		band := image.Rectangle{Min: at, Max: at.Add(sz)}
		var inside, outside int
		for y := range 120 {
			for x := range 400 {
				if dst.RGBAAt(x, y).A == 0 {
					continue
				}
				if image.Pt(x, y).In(band) {
					inside++
				} else {
					outside++
				}
			}
		}
		if outside != 0 || inside < band.Dx()*band.Dy()*9/10 {
			t.Errorf("dark=%v: %d pixels drawn in the measured band %v, %d outside", dark, inside, band, outside)
		}
	}
}

func TestSceneCropBlurAndJPEGFollowTheSeed(t *testing.T) {
	bg := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			bg.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), uint8(x ^ y), 255})
		}
	}
	picture := func(seed uint64) []byte {
		img := Blur(SceneCrop(bg, 160, 120, rand.New(rand.NewPCG(seed, 0))))
		if img.Bounds() != image.Rect(0, 0, 160, 120) {
			t.Fatalf("size %v", img.Bounds())
		}
		b, err := EncodeJPEG(img, 80)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(picture(1), picture(1)) {
		t.Error("one seed, two pictures")
	}
	if bytes.Equal(picture(1), picture(2)) {
		t.Error("two seeds, one picture")
	}
}
