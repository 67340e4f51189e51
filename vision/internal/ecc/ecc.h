#ifndef COUNTERLENS_ECC_H
#define COUNTERLENS_ECC_H

#ifdef __cplusplus
extern "C" {
#endif

// ECC_Align runs cv::findTransformECC with a homography on a pyramid of
// levels levels (halving each), coarse to fine, warp (nine floats,
// row-major, finest level) as start and result; it returns the finest
// level's correlation coefficient, or -2 when OpenCV threw there (no
// convergence, bad input).
double ECC_Align(void* tmpl, void* input, float* warp, int levels, int iters, double eps, int gauss);

#ifdef __cplusplus
}
#endif

#endif
