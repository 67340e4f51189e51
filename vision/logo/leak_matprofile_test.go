//go:build matprofile

package logo

import (
	"bytes"

	"gocv.io/x/gocv"
)

func leakedMats() (int, string) {
	var b bytes.Buffer
	_ = gocv.MatProfile.WriteTo(&b, 1)
	return gocv.MatProfile.Count(), b.String()
}
