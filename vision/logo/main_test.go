package logo

import (
	"fmt"
	"image"
	"math"
	"os"
	"testing"

	"counterlens/vision/internal/cvthreads"
)

// TestMain runs OpenCV's parallel loops on the calling thread, as the
// product does (COUNTERLENS_OPENCV_THREADS, default 1), so the benchmarks
// time what a vision worker costs, and fails the run when any gocv.Mat is
// left open. The count comes from gocv's MatProfile, which exists only
// with -tags matprofile (see leak_matprofile_test.go); without the tag the
// check is skipped.
func TestMain(m *testing.M) {
	cvthreads.Set(1)
	code := m.Run()
	if n, stacks := leakedMats(); n != 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d gocv.Mat leaked\n%s", n, stacks)
		code = 1
	}
	os.Exit(code)
}

// scaleRect scales r by f, rounding outwards: the tests and benchmarks
// bring a candidate's box at a working scale back to the photo's pixels.
func scaleRect(r image.Rectangle, f float64) image.Rectangle {
	return image.Rect(int(math.Floor(float64(r.Min.X)*f)), int(math.Floor(float64(r.Min.Y)*f)),
		int(math.Ceil(float64(r.Max.X)*f)), int(math.Ceil(float64(r.Max.Y)*f)))
}
