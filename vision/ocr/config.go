// Package ocr reads the words written into listing photos: it finds text
// regions first (gradient and morphology with gocv), then reads only those
// with tesseract (gosseract), upscaled and binarised whichever way round the
// text is (dark on light or white on a dark banner). Photos without text
// regions skip tesseract altogether, and so do lines whose strokes are not
// a letter's (textures that the region search lets through).
//
// tesseract reads OMP_THREAD_LIMIT when it loads: run the process with
// OMP_THREAD_LIMIT=1 (about 7x faster on two cores).
package ocr

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
)

// ErrUnavailable is returned by every call when the package was built
// without cgo.
var ErrUnavailable = errors.New("ocr: built without cgo, tesseract unavailable")

// ErrClosed is returned by [Pool.Recognize] after [Pool.Close].
var ErrClosed = errors.New("ocr: pool closed")

// Config sizes the pool and tunes the preprocessing.
type Config struct {
	// Languages are tesseract language codes; default ["eng"]. Others by
	// installing Debian's tesseract-ocr-<lang> packages (deu, fra, spa,
	// ita, pol, ces, nld, …) and listing them after eng
	// (COUNTERLENS_OCR_LANGUAGES=eng+fra+spa): English alone reads
	// "contrefaçon" as "contrefagon" and "podróbka" as "podrébka". Each
	// language adds to the time per line.
	Languages []string
	// Workers is the size of the client pool; default runtime.NumCPU().
	Workers int
	// TessdataPrefix is tesseract's data folder; "" for its default.
	TessdataPrefix string

	// MaxSide is the longest side, in pixels, at which text regions are
	// searched; larger images are scaled down for the search only.
	MaxSide int
	// MinTextHeight is the smallest text line height, in search pixels,
	// worth reading.
	MinTextHeight int
	// MaxRegions caps the text lines read per image, largest first.
	MaxRegions int
	// TargetHeight is the height, in pixels, a text line is scaled to before
	// tesseract reads it.
	TargetHeight int
	// MaxUpscale caps that scaling.
	MaxUpscale float64
	// MinWordConfidence drops words tesseract is less sure of, in [0, 1].
	MinWordConfidence float64
}

// DefaultConfig returns the settings used in production.
func DefaultConfig() Config {
	return Config{
		Languages:         []string{"eng"},
		Workers:           runtime.NumCPU(),
		MaxSide:           1280,
		MinTextHeight:     8,
		MaxRegions:        16,
		TargetHeight:      40,
		MaxUpscale:        4,
		MinWordConfidence: 0.3,
	}
}

var langRe = regexp.MustCompile(`^[a-z]{3}(?:_[a-z]+)*$`)

// Validate reports the first setting out of range.
func (c Config) Validate() error {
	if len(c.Languages) == 0 {
		return errors.New("ocr: no languages")
	}
	for _, l := range c.Languages {
		if !langRe.MatchString(l) {
			return fmt.Errorf("ocr: bad language code %q", l)
		}
	}
	switch {
	case c.Workers < 1:
		return fmt.Errorf("ocr: workers %d, want at least 1", c.Workers)
	case c.MaxSide < 256:
		return fmt.Errorf("ocr: max side %d, want at least 256", c.MaxSide)
	case c.MinTextHeight < 4:
		return fmt.Errorf("ocr: min text height %d, want at least 4", c.MinTextHeight)
	case c.MaxRegions < 1:
		return fmt.Errorf("ocr: max regions %d, want at least 1", c.MaxRegions)
	case c.TargetHeight < 16 || c.TargetHeight > 128:
		return fmt.Errorf("ocr: target height %d, want 16 to 128", c.TargetHeight)
	case c.MaxUpscale < 1 || c.MaxUpscale > 8:
		return fmt.Errorf("ocr: max upscale %v, want 1 to 8", c.MaxUpscale)
	case c.MinWordConfidence < 0 || c.MinWordConfidence > 1:
		return fmt.Errorf("ocr: min word confidence %v, want 0 to 1", c.MinWordConfidence)
	}
	return nil
}
