//go:build cgo && matprofile

package ocr

import (
	"bytes"
	"fmt"
	"os"

	"gocv.io/x/gocv"
)

// checkMats fails the run when a Mat was not closed.
func checkMats() int {
	if n := gocv.MatProfile.Count(); n != 0 {
		var b bytes.Buffer
		_ = gocv.MatProfile.WriteTo(&b, 1)
		fmt.Fprintf(os.Stderr, "FAIL: %d gocv Mats leaked\n%s", n, b.String())
		return 1
	}
	return 0
}
