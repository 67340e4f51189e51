package synth

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand/v2"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// BannerBox measures the band [DrawBanner] draws for a line of text at size
// pixels, padded.
func BannerBox(f *opentype.Font, text string, size float64) (image.Point, error) {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return image.Point{}, err
	}
	defer face.Close()
	m := face.Metrics()
	w := font.MeasureString(face, text).Ceil()
	return image.Pt(w+int(size), (m.Ascent+m.Descent).Ceil()+int(size*0.6)), nil
}

// DrawBanner writes text at size pixels on a filled band (dark text on a
// light band, or light text on a dark red one) with its top-left corner at
// at.
func DrawBanner(dst *image.RGBA, f *opentype.Font, text string, size float64, at image.Point, dark bool) error {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return err
	}
	defer face.Close()
	m := face.Metrics()
	w := font.MeasureString(face, text).Ceil()
	padX, padY := int(size*0.5), int(size*0.3)
	box := image.Rect(at.X, at.Y, at.X+w+2*padX, at.Y+(m.Ascent+m.Descent).Ceil()+2*padY)
	fg, bg := color.RGBA{20, 20, 24, 255}, color.RGBA{245, 240, 225, 255}
	if dark {
		fg, bg = color.RGBA{250, 250, 250, 255}, color.RGBA{150, 20, 30, 255}
	}
	draw.Draw(dst, box.Intersect(dst.Bounds()), image.NewUniform(bg), image.Point{}, draw.Src)
	d := font.Drawer{Dst: dst, Src: image.NewUniform(fg), Face: face,
		Dot: fixed.P(at.X+padX, at.Y+padY+m.Ascent.Ceil())}
	d.DrawString(text)
	return nil
}

// Blur softens img by scaling it down by a third and back up.
func Blur(img *image.RGBA) *image.RGBA {
	bd := img.Bounds()
	small := image.NewRGBA(image.Rect(0, 0, bd.Dx()*2/3, bd.Dy()*2/3))
	xdraw.BiLinear.Scale(small, small.Bounds(), img, bd, xdraw.Src, nil)
	out := image.NewRGBA(bd)
	xdraw.BiLinear.Scale(out, bd, small, small.Bounds(), xdraw.Src, nil)
	return out
}

// EncodeJPEG encodes img as a JPEG of quality q (1 to 100).
func EncodeJPEG(img image.Image, q int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SceneCrop draws a random crop of bg (60 to 100% of its width, at the
// aspect of w×h), scaled to w×h.
func SceneCrop(bg image.Image, w, h int, rng *rand.Rand) *image.RGBA {
	bb := bg.Bounds()
	cw := int(float64(bb.Dx()) * (0.6 + 0.4*rng.Float64()))
	ch := min(bb.Dy(), int(float64(cw)*float64(h)/float64(w)))
	cw = int(float64(ch) * float64(w) / float64(h))
	x0 := bb.Min.X + rng.IntN(max(1, bb.Dx()-cw+1))
	y0 := bb.Min.Y + rng.IntN(max(1, bb.Dy()-ch+1))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), bg, image.Rect(x0, y0, x0+cw, y0+ch), xdraw.Src, nil)
	return dst
}
