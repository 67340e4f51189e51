//go:build cgo

// Package cvthreads sets how many threads OpenCV's parallel loops use in
// this process. gocv v0.31 has no binding for cv::setNumThreads, and
// Debian's OpenCV runs its loops on TBB workers that spin on the other
// cores while a caller waits: where each core already runs one vision
// goroutine of ours, those workers only take time from the others.
package cvthreads

/*
#cgo !windows pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "cvthreads.h"
*/
import "C"

// Set makes OpenCV's parallel loops use n threads, the calling one
// included: 1 (or 0, which OpenCV takes the same way) runs every loop in
// the thread that called OpenCV, and a negative n brings back OpenCV's
// default (OPENCV_FOR_THREADS_NUM, else one thread a core). It holds for
// the whole process.
func Set(n int) { C.CVThreads_Set(C.int(n)) }

// Get is how many threads OpenCV's parallel loops use now.
func Get() int { return int(C.CVThreads_Get()) }
