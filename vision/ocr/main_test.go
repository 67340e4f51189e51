//go:build cgo

package ocr

import (
	"fmt"
	"os"
	"testing"
)

// TestMain refuses to run without OMP_THREAD_LIMIT=1: tesseract reads it
// only when the process starts, and without it every test and benchmark
// here runs several times slower on a shared machine. Under -tags
// matprofile it also fails the run when a gocv Mat leaked.
func TestMain(m *testing.M) {
	if os.Getenv("OMP_THREAD_LIMIT") != "1" {
		fmt.Fprintln(os.Stderr, "FAIL: vision/ocr tests need OMP_THREAD_LIMIT=1 in the environment before the process starts:\n\tOMP_THREAD_LIMIT=1 go test -tags matprofile ./vision/ocr/")
		os.Exit(2)
	}
	code := m.Run()
	if code == 0 {
		code = checkMats()
	}
	os.Exit(code)
}
