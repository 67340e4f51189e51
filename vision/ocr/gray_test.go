//go:build cgo

package ocr

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// TestGrayMatRGBA: opaque RGBA and NRGBA images, whole and cut out of a
// larger one (rows farther apart than the width), take OpenCV's
// conversion; it must agree with the luma of each pixel within one level
// of rounding. A half-transparent image is laid on white.
func TestGrayMatRGBA(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	full := image.NewRGBA(image.Rect(0, 0, 67, 41))
	for i := range full.Pix {
		full.Pix[i] = byte(rng.IntN(256))
		if i%4 == 3 {
			full.Pix[i] = 255
		}
	}
	nrgba := image.NewNRGBA(full.Bounds())
	copy(nrgba.Pix, full.Pix)
	faded := image.NewNRGBA(full.Bounds())
	copy(faded.Pix, full.Pix)
	for i := 3; i < len(faded.Pix); i += 4 * 7 {
		faded.Pix[i] = 128
	}
	tests := []struct {
		name string
		img  image.Image
	}{
		{"rgba", full},
		{"rgba sub-image", full.SubImage(image.Rect(5, 3, 50, 30))},
		{"nrgba", nrgba},
		{"half transparent", faded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := grayMat(tc.img)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			b := tc.img.Bounds()
			if g.Cols() != b.Dx() || g.Rows() != b.Dy() {
				t.Fatalf("size %dx%d, want %v", g.Cols(), g.Rows(), b.Size())
			}
			pix := g.ToBytes()
			for y := 0; y < b.Dy(); y++ {
				for x := 0; x < b.Dx(); x++ {
					// premultiplied, so laying on white adds 255-alpha
					c := color.RGBAModel.Convert(tc.img.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
					want := min(255, (299*int(c.R)+587*int(c.G)+114*int(c.B))/1000+255-int(c.A))
					if d := int(pix[y*b.Dx()+x]) - want; d < -1 || d > 1 {
						t.Fatalf("pixel (%d,%d) = %d, want %d±1", x, y, pix[y*b.Dx()+x], want)
					}
				}
			}
		})
	}
}

// TestOpaque: one pixel of alpha 254 anywhere, in images of odd and even
// widths and in sub-images (the row's end and the stride's slack), makes
// the image not opaque; alpha in the pixels around a sub-image does not.
func TestOpaque(t *testing.T) {
	for _, sz := range []image.Point{{1, 1}, {2, 1}, {3, 2}, {5, 3}, {8, 2}, {9, 3}, {16, 2}, {17, 3}, {24, 1}, {33, 2}, {49, 2}} {
		full := image.NewRGBA(image.Rect(0, 0, sz.X+3, sz.Y+2))
		for i := range full.Pix {
			full.Pix[i] = 255
		}
		// the pixels around the sub-image at (1, 1) are transparent
		for y := 0; y < full.Rect.Dy(); y++ {
			for x := 0; x < full.Rect.Dx(); x++ {
				if x < 1 || y < 1 || x > sz.X || y > sz.Y {
					full.Pix[full.PixOffset(x, y)+3] = 0
				}
			}
		}
		sub := full.SubImage(image.Rect(1, 1, 1+sz.X, 1+sz.Y)).(*image.RGBA)
		o := sub.PixOffset(1, 1)
		if !opaque(sub.Pix, sub.Stride, o, sz.X, sz.Y) {
			t.Errorf("%v: opaque sub-image taken for transparent", sz)
		}
		for y := 1; y <= sz.Y; y++ {
			for x := 1; x <= sz.X; x++ {
				i := full.PixOffset(x, y) + 3
				full.Pix[i] = 254
				if opaque(sub.Pix, sub.Stride, o, sz.X, sz.Y) {
					t.Errorf("%v: alpha 254 at (%d,%d) not seen", sz, x-1, y-1)
				}
				full.Pix[i] = 255
			}
		}
	}
}
