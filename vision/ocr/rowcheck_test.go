//go:build cgo

package ocr

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"golang.org/x/image/font/opentype"
)

// TestTextRow: lines of letters, dark on light and light on dark, in
// regular and bold type, pass the row check, and so do letters among a
// few specks; a row of solid blobs (the spots of a butterfly's wing), a
// row of thick bars and letters among many specks (the few letter-sized
// blobs of a texture) do not, whichever way round.
func TestTextRow(t *testing.T) {
	plain := image.NewUniform(color.RGBA{128, 128, 128, 255})
	ground := image.NewRGBA(image.Rect(0, 0, 400, 120))
	draw.Draw(ground, ground.Bounds(), plain, image.Point{}, draw.Src)
	regular := loadFont(t, "testdata/LiberationSans-Regular.ttf")
	bold := loadFont(t, "testdata/LiberationSans-Bold.ttf")

	blobs := func(dark bool, w, h, gap int) (image.Image, image.Rectangle) {
		img := image.NewRGBA(ground.Bounds())
		fg, bg := color.RGBA{20, 20, 24, 255}, color.RGBA{245, 240, 225, 255}
		if dark {
			fg, bg = bg, color.RGBA{150, 20, 30, 255}
		}
		draw.Draw(img, img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
		r := image.Rect(20, 40, 20, 40+h)
		for x := 20; x+w < 380; x += w + gap {
			b := image.Rect(x, 40, x+w, 40+h)
			draw.Draw(img, b, image.NewUniform(fg), image.Point{}, draw.Src)
			r = r.Union(b)
		}
		return img, r
	}
	// specked scatters 2×2 specks, step pixels apart, over the
	// background around the letters of the dark text line and 10 pixels
	// above and below them (none touches a letter, so each stays a speck
	// of its own), and returns that taller box as the line.
	specked := func(step int) func() (image.Image, image.Rectangle) {
		return func() (image.Image, image.Rectangle) {
			img, r := textBox(t, ground, regular, banner{Text: "REPLICA 1:1", Size: 26, At: image.Pt(10, 30)})
			r.Min.Y, r.Max.Y = r.Min.Y-10, r.Max.Y+10
			text := img.(*image.RGBA)
			rgba := image.NewRGBA(text.Bounds())
			draw.Draw(rgba, rgba.Bounds(), text, image.Point{}, draw.Src)
			bg := text.RGBAAt(r.Min.X-2, r.Min.Y-2)
			clear := func(x0, y0 int) bool {
				for y := y0 - 2; y < y0+4; y++ {
					for x := x0 - 2; x < x0+4; x++ {
						if text.RGBAAt(x, y) != bg {
							return false
						}
					}
				}
				return true
			}
			for y := r.Min.Y + 1; y+2 < r.Max.Y; y += step {
				for x := r.Min.X + 1; x+2 < r.Max.X; x += step {
					if clear(x, y) {
						draw.Draw(rgba, image.Rect(x, y, x+2, y+2), image.NewUniform(color.RGBA{20, 20, 24, 255}), image.Point{}, draw.Src)
					}
				}
			}
			return rgba, r
		}
	}
	tests := []struct {
		name  string
		img   func() (image.Image, image.Rectangle)
		light bool
		want  bool
	}{
		{"dark text", func() (image.Image, image.Rectangle) {
			return textBox(t, ground, regular, banner{Text: "REPLICA 1:1", Size: 26, At: image.Pt(10, 30)})
		}, false, true},
		{"light bold text", func() (image.Image, image.Rectangle) {
			return textBox(t, ground, bold, banner{Text: "WhatsApp +44 7911", Size: 20, At: image.Pt(10, 30), Dark: true})
		}, true, true},
		{"short word", func() (image.Image, image.Rectangle) {
			return textBox(t, ground, bold, banner{Text: "LV", Size: 34, At: image.Pt(10, 30)})
		}, false, true},
		{"solid blobs", func() (image.Image, image.Rectangle) { return blobs(false, 18, 22, 9) }, false, false},
		{"light solid blobs", func() (image.Image, image.Rectangle) { return blobs(true, 18, 22, 9) }, true, false},
		{"thick bars", func() (image.Image, image.Rectangle) { return blobs(false, 10, 30, 6) }, false, false},
		{"text among a few specks", specked(40), false, true},
		{"text among many specks", specked(3), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, r := tc.img()
			g, err := grayMat(img)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			if got := textRow(g, r, tc.light); got != tc.want {
				t.Errorf("textRow(%v, light=%v) = %v, want %v", r, tc.light, got, tc.want)
			}
		})
	}
}

// textBox renders b on photo and returns the image with the box of the
// letters: the pixels of the band that differ from its ground.
func textBox(t *testing.T, photo image.Image, f *opentype.Font, b banner) (image.Image, image.Rectangle) {
	t.Helper()
	img, band := render(t, photo, f, b)
	ground := img.RGBAAt(band.Min.X+1, band.Min.Y+1)
	var box image.Rectangle
	for y := band.Min.Y; y < band.Max.Y; y++ {
		for x := band.Min.X; x < band.Max.X; x++ {
			if c := img.RGBAAt(x, y); absDiff(c.R, ground.R)+absDiff(c.G, ground.G) > 120 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return img, box
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestLineRow: a line grown much taller than its letters, which holds no
// letters of its own height, is judged by its seed; a line whose own
// letter-high blobs fail the check is not, even beside a seed that
// passes.
func TestLineRow(t *testing.T) {
	plain := image.NewUniform(color.RGBA{245, 240, 225, 255})
	ground := image.NewRGBA(image.Rect(0, 0, 400, 200))
	draw.Draw(ground, ground.Bounds(), plain, image.Point{}, draw.Src)
	regular := loadFont(t, "testdata/LiberationSans-Regular.ttf")
	img, seed := textBox(t, ground, regular, banner{Text: "REPLICA 1:1", Size: 26, At: image.Pt(10, 60)})
	rgba := img.(*image.RGBA)
	// a row of solid blobs below the text: letter-high, too full
	var blobs image.Rectangle
	for x := 20; x+18 < 380; x += 27 {
		b := image.Rect(x, 150, x+18, 172)
		draw.Draw(rgba, b, image.NewUniform(color.RGBA{20, 20, 24, 255}), image.Point{}, draw.Src)
		blobs = blobs.Union(b)
	}
	g, err := grayMat(rgba)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	tall := image.Rect(seed.Min.X, seed.Min.Y-3*seed.Dy(), seed.Max.X, seed.Max.Y+3*seed.Dy())
	tests := []struct {
		name       string
		line, seed image.Rectangle
		want       bool
	}{
		{"text line", seed, seed, true},
		{"grown taller than its letters, text seed", tall, seed, true},
		{"blobs, blob seed", blobs, blobs, false},
		{"blobs of its height, text seed", blobs, seed, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if textRow(g, tc.line, false) {
				if tc.line != tc.seed || !tc.want {
					t.Fatalf("the line %v passes the row check itself; the case tests nothing", tc.line)
				}
			}
			if got := lineRow(g, tc.line, tc.seed, false); got != tc.want {
				t.Errorf("lineRow(%v, seed %v) = %v, want %v", tc.line, tc.seed, got, tc.want)
			}
		})
	}
}
