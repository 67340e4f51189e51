//go:build cgo

// Package ecc aligns a template on an image by OpenCV's enhanced
// correlation coefficient (cv::findTransformECC, Evangelidis & Psarakis
// 2008) with a homography. gocv v0.31 binds the function
// (gocv.FindTransformECC) but lets its C++ exception through cgo, which
// aborts the process: OpenCV throws whenever the iteration stops before
// converging ("images may be uncorrelated"), which is an ordinary outcome
// for a look-alike region. This binding catches it and says so.
package ecc

/*
#cgo !windows pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "ecc.h"
*/
import "C"

import (
	"errors"
	"unsafe"

	"gocv.io/x/gocv"
)

// ErrNoConvergence is returned when OpenCV gave up: the iteration
// diverged, the images do not overlap, or an input was unusable.
var ErrNoConvergence = errors.New("ecc: no convergence")

// Align refines warp, a row-major homography from tmpl's pixels to
// input's, so that input seen through it correlates best with tmpl, and
// returns that correlation coefficient (in [-1, 1]). tmpl and input must
// be single-channel and of one type (CV_8U or CV_32F). The alignment runs
// coarse to fine on levels levels of a pyramid (1: the images alone), so
// a start a few strokes off still converges; a coarse level that does not
// converge is skipped. iters and eps stop each level's iteration, gauss is
// the side of the Gaussian both images are blurred with first (0 or 1:
// none). On error warp is left undefined.
func Align(tmpl, input gocv.Mat, warp *[9]float32, levels, iters int, eps float64, gauss int) (float64, error) {
	rho := float64(C.ECC_Align(unsafe.Pointer(tmpl.Ptr()), unsafe.Pointer(input.Ptr()),
		(*C.float)(unsafe.Pointer(&warp[0])), C.int(max(1, levels)), C.int(iters), C.double(eps), C.int(gauss)))
	if rho < -1 {
		return 0, ErrNoConvergence
	}
	return rho, nil
}
