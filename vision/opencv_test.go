//go:build cgo

package vision

import "testing"

// TestSetOpenCVThreads: the count reaches OpenCV, and 0 brings back its
// default.
func TestSetOpenCVThreads(t *testing.T) {
	def := OpenCVThreads()
	t.Cleanup(func() { SetOpenCVThreads(0) })
	SetOpenCVThreads(1)
	if got := OpenCVThreads(); got != 1 {
		t.Fatalf("after SetOpenCVThreads(1): %d threads", got)
	}
	SetOpenCVThreads(0)
	if got := OpenCVThreads(); got != def {
		t.Fatalf("after SetOpenCVThreads(0): %d threads, want the default %d", got, def)
	}
}
