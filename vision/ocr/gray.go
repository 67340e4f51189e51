//go:build cgo

package ocr

import (
	"encoding/binary"
	"image"
	"image/color"

	"gocv.io/x/gocv"
)

// grayMat converts img to an 8-bit grey Mat. JPEG photos (YCbCr) take
// their luma plane as is; transparent pixels are laid on white.
func grayMat(img image.Image) (gocv.Mat, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	buf := make([]byte, w*h)
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			o := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(buf[y*w:(y+1)*w], m.Y[o:o+w])
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			o := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(buf[y*w:(y+1)*w], m.Pix[o:o+w])
		}
	case *image.NRGBA:
		if g, ok, err := opaqueGray(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), w, h); ok || err != nil {
			return g, err
		}
		for y := 0; y < h; y++ {
			o := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < w; x++ {
				p := m.Pix[o+4*x : o+4*x+4]
				g := (299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000
				a := int(p[3])
				buf[y*w+x] = byte((g*a + 255*(255-a)) / 255)
			}
		}
	case *image.RGBA:
		if g, ok, err := opaqueGray(m.Pix, m.Stride, m.PixOffset(b.Min.X, b.Min.Y), w, h); ok || err != nil {
			return g, err
		}
		for y := 0; y < h; y++ {
			o := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < w; x++ {
				p := m.Pix[o+4*x : o+4*x+4]
				// premultiplied: lay on white
				g := (299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000
				buf[y*w+x] = byte(min(255, g+255-int(p[3])))
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				l := color.GrayModel.Convert(color.RGBA64{R: uint16(r), G: uint16(g), B: uint16(bl), A: 0xffff}).(color.Gray).Y
				buf[y*w+x] = byte((int(l)*int(a>>8) + 255*(255-int(a>>8))) / 255)
			}
		}
	}
	return gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8U, buf)
}

// opaqueGray converts RGBA pixels (w×h from offset o, rows stride bytes
// apart) to grey with OpenCV, which does in a few instructions a pixel
// what the loops of [grayMat] do in about forty. It reports false, and
// converts nothing, when a pixel is not opaque: those are laid on white
// by the loops.
func opaqueGray(pix []byte, stride, o, w, h int) (gocv.Mat, bool, error) {
	if !opaque(pix, stride, o, w, h) {
		return gocv.Mat{}, false, nil
	}
	buf := pix[o:]
	if stride != 4*w {
		buf = make([]byte, 4*w*h)
		for y := 0; y < h; y++ {
			copy(buf[y*4*w:(y+1)*4*w], pix[o+y*stride:o+y*stride+4*w])
		}
	}
	rgba, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC4, buf[:4*w*h])
	if err != nil {
		return gocv.Mat{}, false, err
	}
	defer rgba.Close()
	g := gocv.NewMat()
	gocv.CvtColor(rgba, &g, gocv.ColorRGBAToGray)
	return g, true, nil
}

// opaque reports whether every pixel of the w×h RGBA pixels from offset o
// (rows stride bytes apart) has an alpha of 255. It ANDs each row's
// 8-byte words together, two pixels a word in four running ANDs, 64
// bytes a step read as an array (a reslice per word, or one AND chain,
// ran at a quarter of the speed; 32 bytes a step cost about 1.75 M
// instructions a 1000×667 photo, 64 bytes about half):
// OpenCV's alpha channel extraction and minimum over it cost about five
// instructions a pixel, more than the conversion to grey after it.
func opaque(pix []byte, stride, o, w, h int) bool {
	const alphas = 0xff000000_ff000000 // the alpha bytes of two pixels, little-endian
	for y := 0; y < h; y++ {
		row := pix[o+y*stride : o+y*stride+4*w]
		a0, a1, a2, a3 := ^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)
		for len(row) >= 64 {
			// a 64-byte array: its eight loads need no bounds check
			r := (*[64]byte)(row)
			a0 &= binary.LittleEndian.Uint64(r[0:]) & binary.LittleEndian.Uint64(r[32:])
			a1 &= binary.LittleEndian.Uint64(r[8:]) & binary.LittleEndian.Uint64(r[40:])
			a2 &= binary.LittleEndian.Uint64(r[16:]) & binary.LittleEndian.Uint64(r[48:])
			a3 &= binary.LittleEndian.Uint64(r[24:]) & binary.LittleEndian.Uint64(r[56:])
			row = row[64:]
		}
		for ; len(row) >= 4; row = row[4:] {
			if row[3] != 255 {
				return false
			}
		}
		if a0&a1&a2&a3&alphas != alphas {
			return false
		}
	}
	return true
}
