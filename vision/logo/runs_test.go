package logo

import (
	"image"
	"testing"
	"unsafe"

	"gocv.io/x/gocv"
)

// TestRunLabelsMatchOpenCV checks the run labeler against OpenCV's
// connectedComponentsWithStats on the grey ladder's cuts of real photos:
// the same number of components, the same label for every pixel, the same
// boxes and areas.
func TestRunLabelsMatchOpenCV(t *testing.T) {
	cfg := DefaultConfig()
	photos := photos1000(t)
	// A small raster and odd sizes exercise the borders.
	photos = append(photos, photos[0].(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(3, 5, 260, 198)))
	var rl runLabeler
	var comps []component
	for pi, ph := range photos {
		g, _ := toGray(ph, cfg.MaxSide, false)
		base, err := gocv.NewMatFromBytes(g.h, g.w, gocv.MatTypeCV8U, g.pix)
		if err != nil {
			t.Fatal(err)
		}
		blur, bin, labels, stats, cents := gocv.NewMat(), gocv.NewMat(), gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
		gocv.GaussianBlur(base, &blur, image.Pt(3, 3), 0, 0, gocv.BorderReflect101)
		pix := blur.ToBytes()
		for lv := cfg.LevelStep; lv < 256; lv += cfg.LevelStep {
			rl.cut(pix, g.w, g.h, uint8(lv))
			for p, typ := range []gocv.ThresholdType{gocv.ThresholdBinary, gocv.ThresholdBinaryInv} {
				gocv.Threshold(blur, &bin, float32(lv), 255, typ)
				n := gocv.ConnectedComponentsWithStats(bin, &labels, &stats, &cents)
				lab, st := int32s(&labels), int32s(&stats)
				comps = rl.components(p, comps)
				if len(comps) != n {
					t.Fatalf("photo %d level %d polarity %d: %d components, OpenCV %d", pi, lv, p, len(comps), n)
				}
				for k := 1; k < n; k++ {
					want := component{box: image.Rect(int(st[5*k]), int(st[5*k+1]), int(st[5*k]+st[5*k+2]), int(st[5*k+1]+st[5*k+3])), area: int(st[5*k+4])}
					if comps[k] != want {
						t.Fatalf("photo %d level %d polarity %d label %d: %v, OpenCV %v", pi, lv, p, k, comps[k], want)
					}
				}
				// Every pixel's label.
				got := make([]int32, g.w*g.h)
				for l := int32(1); l < int32(n); l++ {
					for _, i := range rl.byLabel[p][rl.start[p][l]:rl.start[p][l+1]] {
						run := rl.runs[p].Runs[i]
						for x := run.X0; x < run.X1; x++ {
							got[int(run.Y)*g.w+int(x)] = l
						}
					}
				}
				for i := range got {
					if got[i] != lab[i] {
						t.Fatalf("photo %d level %d polarity %d pixel %d,%d: label %d, OpenCV %d", pi, lv, p, i%g.w, i/g.w, got[i], lab[i])
					}
				}
			}
		}
		for _, m := range []gocv.Mat{base, blur, bin, labels, stats, cents} {
			m.Close()
		}
	}
}

// int32s views a CV_32S Mat's data as []int32, without copying. The slice is
// valid while the Mat is neither closed nor reallocated.
func int32s(m *gocv.Mat) []int32 {
	b, err := m.DataPtrUint8()
	if err != nil || len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&b[0])), len(b)/4)
}
