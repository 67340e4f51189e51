package phash

import (
	"errors"
	"image"
	"image/color"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"testing"
)

func load(t *testing.T, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

func TestDistancePairs(t *testing.T) {
	// Pairs of real pictures: the same photo after resizing, JPEG q50 or a
	// brightness/contrast change must stay close; different photos far.
	tests := []struct {
		a, b    string
		minDist int
		maxDist int
	}{
		{"baboon.jpg", "baboon.jpg", 0, 0},
		{"baboon.jpg", "baboon_small_q50.jpg", 0, 6},
		{"baboon.jpg", "baboon_bright.jpg", 0, 6},
		{"baboon.jpg", "fruits.jpg", 20, 64},
		{"baboon.jpg", "building.jpg", 20, 64},
		{"fruits.jpg", "building.jpg", 20, 64},
	}
	for _, tt := range tests {
		t.Run(tt.a+"~"+tt.b, func(t *testing.T) {
			ha, err := Hash(load(t, tt.a))
			if err != nil {
				t.Fatal(err)
			}
			hb, err := Hash(load(t, tt.b))
			if err != nil {
				t.Fatal(err)
			}
			d := Distance(ha, hb)
			if d < tt.minDist || d > tt.maxDist {
				t.Errorf("distance %d (%s vs %s), want in [%d, %d]", d, Hex(ha), Hex(hb), tt.minDist, tt.maxDist)
			}
		})
	}
}

func TestHashFlattensAlpha(t *testing.T) {
	// A dark disc on transparency and the same disc on white are one picture.
	const n = 64
	alpha := image.NewNRGBA(image.Rect(0, 0, n, n))
	white := image.NewRGBA(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			in := (x-20)*(x-20)+(y-30)*(y-30) < 15*15
			if in {
				alpha.SetNRGBA(x, y, color.NRGBA{A: 255})
				white.SetRGBA(x, y, color.RGBA{A: 255})
			} else {
				white.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
			}
		}
	}
	ha, err := Hash(alpha)
	if err != nil {
		t.Fatal(err)
	}
	hw, err := Hash(white)
	if err != nil {
		t.Fatal(err)
	}
	if d := Distance(ha, hw); d != 0 {
		t.Errorf("alpha vs white distance %d, want 0", d)
	}
}

func TestHexRoundTrip(t *testing.T) {
	tests := map[string]uint64{
		"0000000000000000": 0,
		"00000000000000ff": 0xff,
		"8000000000000001": 0x8000000000000001,
		"ffffffffffffffff": ^uint64(0),
	}
	for s, h := range tests {
		t.Run(s, func(t *testing.T) {
			if got := Hex(h); got != s {
				t.Errorf("Hex(%#x) = %q, want %q", h, got, s)
			}
			back, err := ParseHex(s)
			if err != nil || back != h {
				t.Errorf("ParseHex(%q) = %#x, %v; want %#x", s, back, err, h)
			}
		})
	}
}

func TestParseHexRejects(t *testing.T) {
	for _, s := range []string{"", "abc", "0x00000000000000", "00000000000000000", "zzzzzzzzzzzzzzzz", "-000000000000001"} {
		t.Run(s, func(t *testing.T) {
			if _, err := ParseHex(s); !errors.Is(err, ErrBadHex) {
				t.Errorf("ParseHex(%q) err = %v, want ErrBadHex", s, err)
			}
		})
	}
}

func TestHashEmpty(t *testing.T) {
	if _, err := Hash(nil); !errors.Is(err, ErrEmptyImage) {
		t.Errorf("nil: err = %v", err)
	}
	if _, err := Hash(image.NewGray(image.Rect(0, 0, 0, 0))); !errors.Is(err, ErrEmptyImage) {
		t.Errorf("empty: err = %v", err)
	}
	if _, err := Hash(image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Errorf("1 px: err = %v", err)
	}
}
