package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"os"
	"testing"
)

func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestImage(t *testing.T) {
	box, err := os.ReadFile("testdata/box.png")
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := Image(box, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var jpg, gf bytes.Buffer
	if err := jpeg.Encode(&jpg, img, nil); err != nil {
		t.Fatal(err)
	}
	pal := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})
	if err := gif.Encode(&gf, pal, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    []byte
		format  string
		wantErr error
	}{
		{"png", box, "png", nil},
		{"jpeg", jpg.Bytes(), "jpeg", nil},
		{"gif", gf.Bytes(), "gif", nil},
		{"text", []byte("hello, this is not an image"), "", ErrUnsupported},
		{"empty", nil, "", ErrUnsupported},
		{"bomb", pngHeader(100_000, 100_000), "png", ErrUndecodable},
		{"truncated jpeg", jpg.Bytes()[:len(jpg.Bytes())/3], "jpeg", ErrUndecodable},
		{"svg is not a photo", mustRead(t, "testdata/nike.svg"), "", ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img, format, err := Image(tc.data, DefaultLimits())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil {
				if format != tc.format || img.Bounds().Empty() {
					t.Fatalf("format %q bounds %v", format, img.Bounds())
				}
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLogoRasterisesSVG(t *testing.T) {
	img, format, err := Logo(mustRead(t, "testdata/nike.svg"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if format != "svg" || img.Bounds().Dx() != 512 {
		t.Fatalf("format %q bounds %v", format, img.Bounds())
	}
	// The swoosh covers part of the square and leaves the rest transparent.
	var opaque, total int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			_, _, _, a := img.At(x, y).RGBA()
			if a > 0x8000 {
				opaque++
			}
			total++
		}
	}
	if frac := float64(opaque) / float64(total); frac < 0.05 || frac > 0.6 {
		t.Fatalf("opaque fraction %.2f: the mark was not drawn", frac)
	}
	if _, _, err := Logo([]byte("<svg xmlns='http://www.w3.org/2000/svg'><path d='M0 0'/></svg>"), DefaultLimits()); !errors.Is(err, ErrUndecodable) {
		t.Fatalf("svg without size: %v", err)
	}
}
