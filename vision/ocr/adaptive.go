//go:build cgo

package ocr

import (
	"image"
	"image/color"

	"gocv.io/x/gocv"
)

// letterBlock is the side of the window whose mean the letter rows
// threshold against, and letterC how far from that mean a pixel must lie
// to count as ink.
const (
	letterBlock = 15
	letterC     = 12
)

// letterThresholds binarises half both ways round against its local
// mean, as two calls of OpenCV's AdaptiveThreshold (mean of the
// letterBlock-square window, replicated border, offset letterC) would:
// dark holds 255 where a pixel lies letterC or more under its mean (dark
// ink), light where it lies more than letterC above it (light ink). Each
// AdaptiveThreshold computed the same mean, a box filter over the whole
// image, and looked its pixels up one at a time; here the mean is
// computed once (the image padded with its own edge pixels, which is
// what the replicated border reads, then filtered), and the two
// comparisons are OpenCV's vectorised subtraction and threshold.
func letterThresholds(half gocv.Mat, dark, light *gocv.Mat) {
	r := letterBlock / 2
	padded := gocv.NewMat()
	defer padded.Close()
	// (isolated: a region of a larger image is padded from its own edge,
	// as AdaptiveThreshold's border is)
	gocv.CopyMakeBorder(half, &padded, r, r, r, r, gocv.BorderReplicate|gocv.BorderIsolated, color.RGBA{})
	blurred := gocv.NewMat()
	defer blurred.Close()
	gocv.Blur(padded, &blurred, image.Pt(letterBlock, letterBlock))
	mean := blurred.Region(image.Rect(r, r, r+half.Cols(), r+half.Rows()))
	defer mean.Close()
	diff := gocv.NewMat()
	defer diff.Close()
	// the differences saturate at 0, so each is the distance on its side
	gocv.Subtract(half, mean, &diff)
	gocv.Threshold(diff, light, letterC, 255, gocv.ThresholdBinary)
	gocv.Subtract(mean, half, &diff)
	gocv.Threshold(diff, dark, letterC-1, 255, gocv.ThresholdBinary)
}
