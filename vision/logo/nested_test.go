package logo

import (
	"context"
	"image/color"
	"path/filepath"
	"testing"
)

// TestRingAndPartsInsideAreOneRegion draws simple-icons marks made of a
// ring and separate parts inside it (osu!: a ring round a word; OWASP: a
// ring round a wasp; changedetection.io: a ring round an eye; SimpleLogin:
// a ring round a padlock; all from the random brand sets of the study
// seeds 300-309, never the held-out brands) onto busy photos at 160 px,
// blurred and JPEG-compressed. The grey ladder's regions
// over such a mark are the ring alone and the parts, whose sizes are too
// far apart to group: the region of the ring with the parts inside its
// holes must fit the reference as a whole (0.85 or more), every other
// region over the mark clearly worse, and the detector must report the
// mark and nothing else.
func TestRingAndPartsInsideAreOneRegion(t *testing.T) {
	dir := iconsDir(t)
	scenes := loadDir(t, "testdata/scenes")
	cfg := DefaultConfig()
	cases := map[string]struct {
		mark, scene string
		seed        uint64
	}{
		"osu/smarties":             {"osu", "smarties", 3},
		"owasp/HappyFish":          {"owasp", "HappyFish", 3},
		"owasp/smarties":           {"owasp", "smarties", 3},
		"changedetection/smarties": {"changedetection", "smarties", 3},
		"simplelogin/smarties":     {"simplelogin", "smarties", 3},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			name := tc.mark
			mark, err := rasterSVG(filepath.Join(dir, name+".svg"))
			if err != nil {
				t.Fatal(err)
			}
			marks := loadDir(t, "testdata/marks")
			marks[name] = mark
			d := newTestDetector(t, refsFrom(marks))
			img, gt := onPhoto1000(t, mark, scenes[tc.scene], 160, color.RGBA{30, 30, 40, 255}, 1, tc.seed)
			g, scale := toGray(img, cfg.MaxSide, false)
			cands, _, err := photoCandidates(context.Background(), img, g, scale, cfg)
			if err != nil {
				t.Fatal(err)
			}
			ref := d.refs.Load().byID[name]
			var nested, other float64
			for _, c := range cands {
				if boxIoU(scaleRect(c.box, 1/scale), gt) < 0.5 {
					continue
				}
				best := 0.0
				for i := range ref.views {
					best = max(best, bestShift(c.shifted(), &ref.views[i]))
				}
				if c.nested {
					nested = max(nested, best)
				} else {
					other = max(other, best)
				}
			}
			if nested < 0.85 || nested < other+0.1 {
				t.Errorf("over the mark: the ring with its parts fits %.3f, the best other region %.3f: want 0.85 or more, and 0.1 better", nested, other)
			}
			wantOnly(t, d, img, name, gt)
		})
	}
}

// TestEnclosingFollowsHoles checks runLabeler.enclosing on a cut of a
// real mark (osu!: a ring round a word with an exclamation mark) drawn on
// a plain ground: every part of the word lies in the ring's hole, the
// ring lies in no hole, and the dot of the "!" is not inside the "o".
func TestEnclosingFollowsHoles(t *testing.T) {
	dir := iconsDir(t)
	mark, err := rasterSVG(filepath.Join(dir, "osu.svg"))
	if err != nil {
		t.Fatal(err)
	}
	// The mark dark on a light ground with a margin.
	b := mark.Bounds()
	w, h := b.Dx()+40, b.Dy()+40
	pix := make([]uint8, w*h)
	for i := range pix {
		pix[i] = 230
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := mark.At(x, y).RGBA(); a >= 0x8000 {
				pix[(y-b.Min.Y+20)*w+x-b.Min.X+20] = 20
			}
		}
	}
	var rl runLabeler
	rl.cut(pix, w, h, 128)
	ink, ground := rl.components(1, nil), rl.components(0, nil)
	enc := rl.enclosing(1, ink, ground, nil)
	// The ring is the largest component of ink.
	ring := 1
	for l := range ink {
		if ink[l].area > ink[ring].area {
			ring = l
		}
	}
	inside := 0
	for l := 1; l < len(ink); l++ {
		switch {
		case l == ring:
			if enc[l] != 0 {
				t.Errorf("the ring lies in the hole of component %d", enc[l])
			}
		case enc[l] == int32(ring):
			inside++
		default:
			t.Errorf("component %d (box %v) lies in %d's hole, not the ring's (%d, box %v)", l, ink[l].box, enc[l], ring, ink[ring].box)
		}
	}
	if inside < 4 {
		t.Errorf("%d parts inside the ring, want the word's letters and the exclamation mark (4 or more)", inside)
	}
	if ground := rl.enclosing(0, ground, ink, nil); ground[1] != 0 {
		t.Errorf("the ground (label 1) lies in a hole of %d", ground[1])
	}
}
