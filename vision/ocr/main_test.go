//go:build cgo

package ocr

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"counterlens/vision/internal/cvthreads"
)

// TestMain refuses to run without OMP_THREAD_LIMIT=1: tesseract reads it
// only when the process starts, and without it every test and benchmark
// here runs several times slower on a shared machine. It runs OpenCV's
// parallel loops on the calling thread, as the product does (see
// cvthreads); COUNTERLENS_OPENCV_THREADS sets another count, -1 for
// OpenCV's default, to compare. Under -tags matprofile it also fails the
// run when a gocv Mat leaked.
func TestMain(m *testing.M) {
	if os.Getenv("OMP_THREAD_LIMIT") != "1" {
		fmt.Fprintln(os.Stderr, "FAIL: vision/ocr tests need OMP_THREAD_LIMIT=1 in the environment before the process starts:\n\tOMP_THREAD_LIMIT=1 go test -tags matprofile ./vision/ocr/")
		os.Exit(2)
	}
	threads := 1
	if v := os.Getenv("COUNTERLENS_OPENCV_THREADS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL: COUNTERLENS_OPENCV_THREADS: %v\n", err)
			os.Exit(2)
		}
		threads = n
	}
	cvthreads.Set(threads)
	code := m.Run()
	if code == 0 {
		code = checkMats()
	}
	os.Exit(code)
}
