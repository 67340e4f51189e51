package logo

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"testing"
)

// bars draws n dark bars, each barW wide and h high with gap between them,
// scaled by f, at (x0, y0) of dst; ring cuts a hole into each bar.
func bars(dst *image.RGBA, x0, y0, n, barW, gap, h int, f float64, ring bool) image.Rectangle {
	ink := image.NewUniform(color.RGBA{20, 20, 60, 255})
	paper := image.NewUniform(color.RGBA{235, 230, 220, 255})
	s := func(v int) int { return int(float64(v)*f + 0.5) }
	var box image.Rectangle
	for i := range n {
		r := image.Rect(x0+s(i*(barW+gap)), y0, x0+s(i*(barW+gap)+barW), y0+s(h))
		draw.Draw(dst, r, ink, image.Point{}, draw.Src)
		if ring {
			draw.Draw(dst, r.Inset(max(2, r.Dx()/4)), paper, image.Point{}, draw.Src)
		}
		box = box.Union(r)
	}
	return box
}

// photoRegion returns the region of box in a photo: the pixels of box
// darker than mid-grey.
func photoRegion(img image.Image, box image.Rectangle) *candidate {
	c := &candidate{box: box, src: box, mask: make([]uint8, box.Dx()*box.Dy())}
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if (r+g+b)/3 < 0x8000 {
				c.mask[(y-box.Min.Y)*box.Dx()+x-box.Min.X] = 1
			}
		}
	}
	return c
}

func paperImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{235, 230, 220, 255}), image.Point{}, draw.Src)
	return img
}

// TestPartsFactor checks the parts rule on photos made as a listing's are
// (blur, noise, JPEG at quality 50): a mark whose gaps survive the blur is
// reported in its parts, a blob with the mark's outline in one part is not,
// a small mark whose narrow gaps the blur closes is excused, and so is a
// region in one part that keeps the reference's holes.
func TestPartsFactor(t *testing.T) {
	cfg := DefaultConfig()
	// wide: three bars with gaps a third of a bar (Snapcraft- or
	// Redmine-like spacing); narrow: gaps a tenth of a bar (Reebok-like).
	ref := func(gap int, ring bool) *prepared {
		img := paperImage(360, 200)
		bars(img, 20, 20, 3, 90, gap, 160, 1, ring)
		p, err := prepare(Reference{LogoID: "bars", BrandID: "b", Image: img}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	wide, narrow, rings := ref(30, false), ref(9, false), ref(30, true)
	for _, r := range []*prepared{wide, narrow, rings} {
		if r.sil.parts != 3 {
			t.Fatalf("reference in %d parts, want 3", r.sil.parts)
		}
	}
	if rings.sil.holes != 3 {
		t.Fatalf("ringed reference with %d holes, want 3", rings.sil.holes)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	// photo draws the bars at scale f; blob fills their box, bridge joins
	// them with a strip across the gaps.
	photo := func(gap int, ring bool, f float64, blur int, blob, bridge bool) *candidate {
		img := paperImage(400, 300)
		box := bars(img, 50, 60, 3, 90, gap, 160, f, ring)
		ink := image.NewUniform(color.RGBA{20, 20, 60, 255})
		if blob {
			draw.Draw(img, box, ink, image.Point{}, draw.Src)
		}
		if bridge {
			draw.Draw(img, image.Rect(box.Min.X, box.Max.Y-int(12*f)-1, box.Max.X, box.Max.Y), ink, image.Point{}, draw.Src)
		}
		return photoRegion(degrade(t, img, blur, 3, 50, rng), box)
	}
	for _, tc := range []struct {
		name  string
		ref   *prepared
		c     *candidate
		parts int
		want  float64
	}{
		{"wide gaps, 150 px, blurred: three parts", wide, photo(30, false, 0.5, 1, false, false), 3, 1},
		{"wide gaps, a blob of its outline", wide, photo(30, false, 0.5, 1, true, false), 1, 0},
		{"wide gaps, a blob at 60 px", wide, photo(30, false, 0.2, 1, true, false), 1, 0},
		{"wide gaps, bars joined at their foot", wide, photo(30, false, 0.5, 1, false, true), 1, 0},
		{"narrow gaps at 50 px, joined by blur", narrow, photo(9, false, 0.17, 2, false, false), 1, 1},
		{"rings joined at their foot, keeping their holes", rings, photo(30, true, 0.5, 1, false, true), 1, 1},
		{"rings as a blob, without holes", rings, photo(30, true, 0.5, 1, true, false), 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := shapeMatch{cand: tc.c, ref: tc.ref}
			parts := countParts(tc.c.mask, tc.c.src.Dx(), tc.c.src.Dy(), 0, cfg.MinPartArea)
			if parts != tc.parts {
				t.Fatalf("region %d px in %d parts, want %d", tc.c.box.Dx(), parts, tc.parts)
			}
			if got := cfg.partsFactor(m); got != tc.want {
				t.Errorf("factor %.0f, want %.0f (region %d px in %d parts)", got, tc.want, tc.c.box.Dx(), parts)
			}
		})
	}
	off := cfg
	off.PartsBlur = 0
	if got := off.partsFactor(shapeMatch{cand: photo(30, false, 0.5, 1, true, false), ref: wide}); got != 1 {
		t.Errorf("PartsBlur 0: factor %.0f, want 1", got)
	}
}
