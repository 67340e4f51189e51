//go:build cgo

package ocr

import (
	"image"
	"time"

	"github.com/otiai10/gosseract/v2"
)

// readEvent is what a [Pool]'s trace hears of one tesseract call
// (done unset) or of the reading a line ended with (done set): how the
// costs of reading lines split by call is studied on it (BenchmarkReads).
type readEvent struct {
	// kind is the call's place in readLine: readFirst, readLarger or
	// readOther.
	kind int
	// size is the binarised line handed to tesseract, without the border.
	w, h int
	// boxes are tesseract's words before the confidence floor.
	boxes []gosseract.BoundingBox
	// cpu is the calling thread's CPU time in tesseract (SetImage and
	// recognition); the caller must hold its OS thread for it to mean that.
	cpu time.Duration
	// done marks the end of a line, line's box in the grey image's
	// pixels; kind is then the reading kept (-1 for none).
	done bool
	line image.Rectangle
}

// The readings readLine makes of one line.
const (
	readFirst  = iota // the target height, the margin's polarity
	readLarger        // a quarter larger, after a dropped word-shaped reading
	readOther         // the other polarity, after no sure reading
)
