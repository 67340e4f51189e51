package vision

import (
	"sync"

	"counterlens/vision/internal/cvthreads"
)

// SetOpenCVThreads makes OpenCV's own parallel loops use n threads, the
// calling one included, for the whole process; n <= 0 brings back
// OpenCV's default (one a core). Debian's OpenCV runs those loops on TBB
// workers that also spin on the other cores while a caller waits; where
// every core already runs an analysis (Config.Workers), 1 keeps each
// OpenCV call on its own goroutine's thread (see docs/benchmarks.md,
// "Time without text"). Call it once at start, before the first
// analysis. A count OpenCV already uses is not set again: setting it
// rebuilds OpenCV's thread pool, which crashes a parallel loop another
// goroutine runs at that moment (two stacks in one test process).
func SetOpenCVThreads(n int) {
	threadsMu.Lock()
	defer threadsMu.Unlock()
	if n <= 0 {
		n = -1
	} else if cvthreads.Get() == n {
		return
	}
	cvthreads.Set(n)
}

// threadsMu serialises SetOpenCVThreads.
var threadsMu sync.Mutex

// OpenCVThreads is how many threads OpenCV's parallel loops use now (0
// without cgo).
func OpenCVThreads() int { return cvthreads.Get() }
