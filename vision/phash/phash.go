// Package phash computes 64-bit perceptual hashes (pHash) of images and
// compares them. It is pure Go (no cgo) and wraps
// github.com/corona10/goimagehash, so the same picture re-encoded, resized or
// slightly recoloured keeps a small Hamming distance while unrelated pictures
// land far apart.
//
// A pHash describes a whole image: it finds re-uploads of the same photo, not
// a logo inside a larger picture (see package vision/logo for that).
package phash

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math/bits"
	"strconv"

	"github.com/corona10/goimagehash"
)

// ErrEmptyImage is returned for a nil image or one without pixels.
var ErrEmptyImage = errors.New("phash: empty image")

// ErrBadHex is returned by [ParseHex] for anything but 16 hexadecimal digits.
var ErrBadHex = errors.New("phash: hash must be 16 hexadecimal digits")

// Bits is the length of a hash in bits, and so the largest [Distance].
const Bits = 64

// Hash returns the perceptual hash of img. Transparent pixels are composited
// onto white first, the way a viewer sees an uploaded mark, so a transparent
// PNG and its white-background JPEG hash alike.
func Hash(img image.Image) (uint64, error) {
	if img == nil || img.Bounds().Empty() {
		return 0, ErrEmptyImage
	}
	h, err := goimagehash.PerceptionHash(flatten(img))
	if err != nil {
		return 0, fmt.Errorf("phash: %w", err)
	}
	return h.GetHash(), nil
}

// Hex formats h as exactly 16 lower-case hexadecimal digits, as in the API's
// "phash" fields.
func Hex(h uint64) string {
	return fmt.Sprintf("%016x", h)
}

// ParseHex parses the output of [Hex]. Upper-case digits are accepted.
func ParseHex(s string) (uint64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("%w: %q", ErrBadHex, s)
	}
	h, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrBadHex, s)
	}
	return h, nil
}

// Distance is the Hamming distance between two hashes, from 0 (same) to
// [Bits]. Re-encodings of one picture are typically within 10; unrelated
// pictures are typically beyond 20.
func Distance(a, b uint64) int {
	return bits.OnesCount64(a ^ b)
}

// flatten composites img onto white when it may carry transparency.
func flatten(img image.Image) image.Image {
	switch img.(type) {
	case *image.Gray, *image.Gray16, *image.YCbCr, *image.CMYK:
		return img
	}
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return img
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Over)
	return dst
}
