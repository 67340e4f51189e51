//go:build !cgo

package cvthreads

// Set does nothing without cgo: there is no OpenCV to set.
func Set(n int) {}

// Get is 0 without cgo.
func Get() int { return 0 }
