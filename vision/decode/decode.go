// Package decode turns untrusted bytes into images, safely: formats are
// sniffed from the bytes, dimensions are checked before any pixel is
// allocated (decompression bombs), and decoder panics become errors.
// It is pure Go.
package decode

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/gif" // registered decoders: the formats we accept
	_ "image/jpeg"
	_ "image/png"

	"github.com/srwiley/oksvg"
	"github.com/srwiley/rasterx"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// Errors. Callers test them with errors.Is.
var (
	// ErrUnsupported means the bytes are not in a format we decode.
	ErrUnsupported = errors.New("unsupported image format")
	// ErrUndecodable means the bytes claim a format but cannot be decoded
	// safely (corrupt, truncated, or a decompression bomb).
	ErrUndecodable = errors.New("undecodable image")
)

// Formats lists what [Image] accepts; [Logo] accepts SVG as well.
var Formats = []string{"jpeg", "png", "gif", "webp", "bmp", "tiff"}

// Limits bounds what a decoder may allocate.
type Limits struct {
	// MaxPixels caps width*height.
	MaxPixels int
	// MaxSide caps the width and the height.
	MaxSide int
	// SVGSide is the long side, in pixels, an SVG logo is rasterised at.
	SVGSide int
}

// DefaultLimits allows photos up to 50 megapixels.
func DefaultLimits() Limits {
	return Limits{MaxPixels: 50_000_000, MaxSide: 20_000, SVGSide: 512}
}

// Image decodes a raster image and returns it with its format name.
func Image(data []byte, lim Limits) (img image.Image, format string, err error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, "", ErrUnsupported
		}
		return nil, format, fmt.Errorf("%w: %v", ErrUndecodable, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > lim.MaxSide || cfg.Height > lim.MaxSide ||
		cfg.Width*cfg.Height > lim.MaxPixels {
		return nil, format, fmt.Errorf("%w: %dx%d pixels is over the limit", ErrUndecodable, cfg.Width, cfg.Height)
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: decoder panicked: %v", ErrUndecodable, r)
		}
	}()
	img, _, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, format, fmt.Errorf("%w: %v", ErrUndecodable, err)
	}
	return img, format, nil
}

// IsSVG reports whether data looks like an SVG document.
func IsSVG(data []byte) bool {
	head := data[:min(len(data), 1024)]
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if bytes.HasPrefix(head, []byte("<?xml")) || bytes.HasPrefix(head, []byte("<!--")) {
		return bytes.Contains(head, []byte("<svg"))
	}
	return bytes.HasPrefix(head, []byte("<svg"))
}

// Logo decodes a reference logo: a raster image, or an SVG rasterised at
// lim.SVGSide pixels on its long side on a transparent background.
func Logo(data []byte, lim Limits) (image.Image, string, error) {
	if !IsSVG(data) {
		return Image(data, lim)
	}
	img, err := rasterSVG(data, lim.SVGSide)
	if err != nil {
		return nil, "svg", err
	}
	return img, "svg", nil
}

func rasterSVG(data []byte, side int) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: svg rasteriser panicked: %v", ErrUndecodable, r)
		}
	}()
	icon, err := oksvg.ReadIconStream(bytes.NewReader(data), oksvg.WarnErrorMode)
	if err != nil {
		return nil, fmt.Errorf("%w: svg: %v", ErrUndecodable, err)
	}
	vw, vh := icon.ViewBox.W, icon.ViewBox.H
	if vw <= 0 || vh <= 0 {
		return nil, fmt.Errorf("%w: svg has no size", ErrUndecodable)
	}
	w, h := side, side
	if vw > vh {
		h = max(1, int(float64(side)*vh/vw))
	} else {
		w = max(1, int(float64(side)*vw/vh))
	}
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(rgba, rgba.Bounds(), image.Transparent, image.Point{}, draw.Src)
	icon.SetTarget(0, 0, float64(w), float64(h))
	icon.Draw(rasterx.NewDasher(w, h, rasterx.NewScannerGV(w, h, rgba, rgba.Bounds())), 1)
	return rgba, nil
}
