//go:build cgo && !matprofile

package ocr

// checkMats needs -tags matprofile to count Mats.
func checkMats() int { return 0 }
