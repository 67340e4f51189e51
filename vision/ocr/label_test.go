//go:build cgo

package ocr

import (
	"fmt"
	"image"
	"math/rand/v2"
	"slices"
	"testing"

	"gocv.io/x/gocv"

	"counterlens/vision/internal/runs"
)

// testGreys returns the grey levels of the four testdata photos at
// 1000 px and at half that, as the search sees them.
func testGreys(t *testing.T) map[string]grey {
	t.Helper()
	out := map[string]grey{}
	for _, name := range []string{"fruits.jpg", "building.jpg", "home.jpg", "messi5.jpg"} {
		g, err := grayMat(scaleMax(loadImage(t, "testdata/"+name), 1000))
		if err != nil {
			t.Fatal(err)
		}
		half := gocv.NewMat()
		gocv.Resize(g, &half, image.Pt(g.Cols()/2, g.Rows()/2), 0, 0, gocv.InterpolationArea)
		// copies: greyOf's pixels go with the Mats closed below
		out[name] = grey{pix: g.ToBytes(), w: g.Cols(), h: g.Rows()}
		out[name+"/half"] = grey{pix: half.ToBytes(), w: half.Cols(), h: half.Rows()}
		half.Close()
		g.Close()
	}
	return out
}

func (g grey) mat(t *testing.T) gocv.Mat {
	t.Helper()
	m, err := gocv.NewMatFromBytes(g.h, g.w, gocv.MatTypeCV8U, g.pix)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// randomSpeckle is a binary image (0 or 255) of 1 to maxSide pixels a side
// whose pixels are on at a random density from none to 7 in 8.
func randomSpeckle(rng *rand.Rand, maxSide int) grey {
	g := grey{w: 1 + rng.IntN(maxSide), h: 1 + rng.IntN(maxSide)}
	g.pix = make([]byte, g.w*g.h)
	density := rng.IntN(8)
	for j := range g.pix {
		if rng.IntN(8) < density {
			g.pix[j] = 255
		}
	}
	return g
}

// randomRects draws n boxes inside b, from a few pixels to most of it.
func randomRects(rng *rand.Rand, b image.Rectangle, n int) []image.Rectangle {
	var out []image.Rectangle
	for range n {
		w, h := 1+rng.IntN(min(b.Dx(), 400)), 1+rng.IntN(min(b.Dy(), 120))
		x, y := rng.IntN(b.Dx()-w+1), rng.IntN(b.Dy()-h+1)
		out = append(out, image.Rect(x, y, x+w, y+h))
	}
	return out
}

// TestOtsu: the threshold picked from a crop's histogram is the one
// OpenCV's THRESH_OTSU picks on the crop, on crops of real photos of
// every size (a flat crop of one or two levels included).
func TestOtsu(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	for name, g := range testGreys(t) {
		m := g.mat(t)
		rs := append(randomRects(rng, g.bounds(), 300), image.Rect(0, 0, 1, 1), g.bounds())
		for _, r := range rs {
			roi := m.Region(r)
			dst := gocv.NewMat()
			want := gocv.Threshold(roi, &dst, 0, 255, gocv.ThresholdBinary|gocv.ThresholdOtsu)
			dst.Close()
			roi.Close()
			if got := otsu(g.histogram(r)); float32(got) != want {
				t.Errorf("%s %v: otsu %d, OpenCV %v", name, r, got, want)
			}
		}
		m.Close()
	}
}

// sortedComponents orders components by box and area, to compare two
// labellings whatever order each gives them in.
func sortedComponents(cs []component) []component {
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b component) int {
		for _, d := range []int{a.y - b.y, a.x - b.x, a.h - b.h, a.w - b.w, a.area - b.area} {
			if d != 0 {
				return d
			}
		}
		return 0
	})
	return cs
}

// binaryRuns returns the runs of the non-zero pixels of pix, a w×h binary
// image (0 or 255) row after row.
func binaryRuns(pix []byte, w, h int) *runs.Set {
	s := new(runs.Set)
	appendLevelRuns(s, pix, w, h, 255)
	return s
}

// checkComponents compares the run labelling of bin's runs with OpenCV's
// labelling of bin, and checks that the runs' components come out in the
// order of their first pixel.
func checkComponents(t *testing.T, bin gocv.Mat, set *runs.Set) {
	t.Helper()
	got, _ := new(scratch).label(set, true)
	want, _ := components(bin, nil)
	if g, w := sortedComponents(got), sortedComponents(want); !slices.Equal(g, w) {
		t.Fatalf("%d components, OpenCV %d (or their boxes or areas differ)", len(g), len(w))
	}
	// first pixels in raster order: the first run of each component
	for i := 1; i < len(got); i++ {
		if got[i].y < got[i-1].y {
			t.Fatalf("component %d starts on row %d, above component %d (row %d)", i, got[i].y, i-1, got[i-1].y)
		}
	}
}

// TestRunComponents: the run labelling finds OpenCV's 8-connected
// components, box and area, on what the search labels: adaptive
// thresholds of real photos at half size (both polarities), Otsu crops
// of them (both polarities from one pass) and random speckle.
func TestRunComponents(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for name, g := range testGreys(t) {
		m := g.mat(t)
		for _, c := range []float32{12, -12} {
			t.Run(fmt.Sprintf("%s/adaptive%v", name, c), func(t *testing.T) {
				bin := gocv.NewMat()
				defer bin.Close()
				typ := gocv.ThresholdBinaryInv
				if c < 0 {
					typ = gocv.ThresholdBinary
				}
				gocv.AdaptiveThreshold(m, &bin, 255, gocv.AdaptiveThresholdMean, typ, 15, c)
				checkComponents(t, bin, binaryRuns(bin.ToBytes(), bin.Cols(), bin.Rows()))
			})
		}
		t.Run(name+"/crops", func(t *testing.T) {
			for _, r := range randomRects(rng, g.bounds(), 60) {
				th := otsu(g.histogram(r))
				above, below := new(scratch).splitRuns(g, r, th)
				roi := m.Region(r)
				bin, inv := gocv.NewMat(), gocv.NewMat()
				gocv.Threshold(roi, &bin, float32(th), 255, gocv.ThresholdBinary)
				gocv.BitwiseNot(bin, &inv)
				checkComponents(t, bin, above)
				checkComponents(t, inv, below)
				bin.Close()
				inv.Close()
				roi.Close()
			}
		})
		m.Close()
	}
	for i := range 20 {
		t.Run(fmt.Sprintf("random%d", i), func(t *testing.T) {
			g := randomSpeckle(rng, 80)
			bin := g.mat(t)
			defer bin.Close()
			checkComponents(t, bin, binaryRuns(g.pix, g.w, g.h))
		})
	}
}

// TestContourBoxes: the boxes of the contours, in order, are those of
// OpenCV's findContours (RETR_LIST) and boundingRect, on the closed edge
// maps the search makes of real photos at its three scales and on random
// speckle with holes and islands, edges included.
func TestContourBoxes(t *testing.T) {
	check := func(t *testing.T, bin gocv.Mat) {
		t.Helper()
		contours := gocv.FindContours(bin, gocv.RetrievalList, gocv.ChainApproxSimple)
		defer contours.Close()
		var want []image.Rectangle
		for i := 0; i < contours.Size(); i++ {
			want = append(want, gocv.BoundingRect(contours.At(i)))
		}
		got := new(scratch).contourBoxes(bin.ToBytes(), bin.Cols(), bin.Rows())
		if !slices.Equal(got, want) {
			n := 0
			for n < min(len(got), len(want)) && got[n] == want[n] {
				n++
			}
			t.Fatalf("%d boxes, OpenCV %d; first difference at %d", len(got), len(want), n)
		}
	}
	for name, g := range testGreys(t) {
		t.Run(name, func(t *testing.T) {
			m := g.mat(t)
			defer m.Close()
			closed := closedEdges(m)
			defer closed.Close()
			check(t, closed)
		})
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 30 {
		t.Run(fmt.Sprintf("random%d", i), func(t *testing.T) {
			bin := randomSpeckle(rng, 60).mat(t)
			defer bin.Close()
			check(t, bin)
		})
	}
}

// TestAppendLevelRuns: the runs read off packed bits are those of a walk
// over the bytes, at both levels, at widths around a word's 64 pixels and
// past the 32 words kept on the stack, on sparse, dense and full rows.
func TestAppendLevelRuns(t *testing.T) {
	walk := func(pix []byte, w, h int, v byte) []runs.Run {
		var out []runs.Run
		for y := range h {
			for x := 0; x < w; x++ {
				if pix[y*w+x] != v {
					continue
				}
				st := x
				for x < w && pix[y*w+x] == v {
					x++
				}
				out = append(out, runs.Run{X0: int32(st), X1: int32(x), Y: int32(y)})
			}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(13, 13))
	for _, w := range []int{1, 2, 7, 63, 64, 65, 127, 128, 129, 500, 2047, 2048, 2049, 2113} {
		for _, p := range []int{0, 3, 50, 97, 100} { // percent set
			h := 5
			pix := make([]byte, w*h)
			for i := range pix {
				if rng.IntN(100) < p {
					pix[i] = 255
				}
			}
			for _, v := range []byte{255, 0} {
				s := new(runs.Set)
				appendLevelRuns(s, pix, w, h, v)
				if want := walk(pix, w, h, v); !slices.Equal(s.Runs, want) {
					t.Fatalf("width %d, %d%% set, level %d: %d runs, want %d", w, p, v, len(s.Runs), len(want))
				}
			}
		}
	}
}
