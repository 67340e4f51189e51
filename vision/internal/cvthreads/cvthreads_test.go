//go:build cgo

package cvthreads

import (
	"image"
	"runtime"
	"testing"

	"gocv.io/x/gocv"
)

// TestSet checks that OpenCV takes the count: one thread, then two, then
// its default back, and that a parallel OpenCV call still gives the same
// result on one thread.
func TestSet(t *testing.T) {
	def := Get()
	t.Cleanup(func() { Set(-1) })
	if def < 1 {
		t.Fatalf("default thread count %d, want at least 1", def)
	}

	src := gocv.NewMatWithSize(480, 640, gocv.MatTypeCV8U)
	defer src.Close()
	gocv.RandU(&src, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(255, 0, 0, 0))
	blur := func() []byte {
		dst := gocv.NewMat()
		defer dst.Close()
		gocv.GaussianBlur(src, &dst, image.Pt(9, 9), 0, 0, gocv.BorderReplicate)
		b, err := dst.DataPtrUint8()
		if err != nil {
			t.Fatal(err)
		}
		return append([]byte(nil), b...)
	}
	want := blur()

	for _, tc := range []struct {
		name string
		set  int
		want int
	}{
		{"one", 1, 1},
		{"two", 2, 2},
		{"default", -1, def},
	} {
		t.Run(tc.name, func(t *testing.T) {
			Set(tc.set)
			if got := Get(); got != tc.want {
				t.Fatalf("after Set(%d): %d threads, want %d (%d cores)", tc.set, got, tc.want, runtime.NumCPU())
			}
			if got := blur(); string(got) != string(want) {
				t.Fatalf("blur on %d threads differs from the default's", tc.want)
			}
		})
	}
}
