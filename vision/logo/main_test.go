package logo

import (
	"fmt"
	"os"
	"testing"
)

// TestMain fails the run when any gocv.Mat is left open. The count comes
// from gocv's MatProfile, which exists only with -tags matprofile (see
// leak_matprofile_test.go); without the tag the check is skipped.
func TestMain(m *testing.M) {
	code := m.Run()
	if n, stacks := leakedMats(); n != 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d gocv.Mat leaked\n%s", n, stacks)
		code = 1
	}
	os.Exit(code)
}
