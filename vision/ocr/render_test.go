//go:build cgo

package ocr

import (
	"image"
	"image/color"
	"image/draw"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Test fixtures: real photos from Debian's opencv-doc samples and the
// Liberation Sans fonts (SIL Open Font License), copied into testdata/.

func loadImage(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return img
}

func loadFont(t testing.TB, path string) *opentype.Font {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := opentype.Parse(b)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return f
}

// banner describes text drawn on a photo: a filled band (dark or light)
// with the phrase in the other tone, at pixel size Size, its top-left
// corner at At.
type banner struct {
	Text string
	Size float64
	At   image.Point
	// Dark is a dark band with light text; otherwise light band, dark text.
	Dark bool
	// NoBand draws the text straight on the photo.
	NoBand bool
}

// render draws b on a copy of photo and returns it with the band's box.
func render(t testing.TB, photo image.Image, f *opentype.Font, b banner) (*image.RGBA, image.Rectangle) {
	t.Helper()
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: b.Size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	dst := image.NewRGBA(photo.Bounds())
	draw.Draw(dst, dst.Bounds(), photo, photo.Bounds().Min, draw.Src)
	m := face.Metrics()
	padX, padY := int(b.Size*0.5), int(b.Size*0.3)
	box := image.Rectangle{Min: b.At, Max: b.At.Add(bannerBox(face, b))}
	fg, bg := color.RGBA{20, 20, 24, 255}, color.RGBA{245, 240, 225, 255}
	if b.Dark {
		fg, bg = color.RGBA{250, 250, 250, 255}, color.RGBA{150, 20, 30, 255}
	}
	if !b.NoBand {
		draw.Draw(dst, box, image.NewUniform(bg), image.Point{}, draw.Src)
	}
	d := font.Drawer{Dst: dst, Src: image.NewUniform(fg), Face: face,
		Dot: fixed.P(b.At.X+padX, b.At.Y+padY+m.Ascent.Ceil())}
	d.DrawString(b.Text)
	return dst, box.Intersect(dst.Bounds())
}

// bannerSize is the size of the band render draws for b with font f.
func bannerSize(t testing.TB, f *opentype.Font, b banner) image.Point {
	t.Helper()
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: b.Size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	defer face.Close()
	return bannerBox(face, b)
}

func bannerBox(face font.Face, b banner) image.Point {
	m := face.Metrics()
	padX, padY := int(b.Size*0.5), int(b.Size*0.3)
	return image.Pt(font.MeasureString(face, b.Text).Ceil()+2*padX, (m.Ascent+m.Descent).Ceil()+2*padY)
}
