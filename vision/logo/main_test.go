package logo

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"gocv.io/x/gocv"
)

// TestMain fails the run when any gocv.Mat is left open (run the tests with
// -tags matprofile; without it the count is always 0).
func TestMain(m *testing.M) {
	code := m.Run()
	if n := gocv.MatProfile.Count(); n != 0 {
		var b bytes.Buffer
		_ = gocv.MatProfile.WriteTo(&b, 1)
		fmt.Fprintf(os.Stderr, "FAIL: %d gocv.Mat leaked\n%s", n, b.String())
		code = 1
	}
	os.Exit(code)
}
