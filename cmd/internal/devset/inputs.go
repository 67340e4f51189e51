package devset

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // opencv-doc photos
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/image/font/opentype"

	"counterlens/models"
)

// lookAlikes are distractor marks close in spirit to the registered ones
// (the logo benchmark's list).
var lookAlikes = []string{"jordan", "anta", "lining", "wish", "zara", "bata", "toyota", "honda",
	"mitsubishi", "lg", "xiaomi", "huawei", "mcdonalds", "burgerking", "bose", "beatsbydre", "ubereats", "peakdesign"}

// heldOutScenes are the opencv samples the logo detector calibrates its
// null model on (vision/logo/nullscenes); they are never scenes here.
var heldOutScenes = []string{"board", "smarties", "stuff", "graf1", "blox", "leuvenA", "left01"}

// BenchFonts are the DejaVu and Liberation fonts text is drawn in, under
// /usr/share/fonts/truetype.
var BenchFonts = []string{"dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSans.ttf", "dejavu/DejaVuSerif-Bold.ttf",
	"liberation/LiberationSans-Bold.ttf", "liberation/LiberationSans-Regular.ttf", "liberation/LiberationSerif-Bold.ttf"}

// LoadBench loads the inputs from a bench data folder (make bench-data):
// simple-icons/icons/*.svg rasterised with rsvg-convert (librsvg2-bin), the
// 16 registered marks and distractors (the look-alikes and 100 other
// icons in a fixed order), opencv-data photos of 240 px and more as
// scenes, and the fonts of fontDir. It also returns each registered mark
// as PNG bytes, to register as the brand's logo.
func LoadBench(dir, fontDir string) (Inputs, map[string][]byte, error) {
	icons := filepath.Join(dir, "simple-icons", "icons")
	in := Inputs{Marks: map[string]image.Image{}}
	refs := map[string][]byte{}
	for _, id := range RegisteredIDs() {
		raw, err := rasterSVG(filepath.Join(icons, id+".svg"))
		if err != nil {
			return in, nil, err
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			return in, nil, fmt.Errorf("%s: %w", id, err)
		}
		in.Marks[id], refs[id] = img, raw
	}
	svgs, _ := filepath.Glob(filepath.Join(icons, "*.svg"))
	var others []string
	for _, p := range svgs {
		n := strings.TrimSuffix(filepath.Base(p), ".svg")
		if !slices.Contains(RegisteredIDs(), n) && !slices.Contains(lookAlikes, n) {
			others = append(others, n)
		}
	}
	if len(others) < 100 {
		return in, nil, fmt.Errorf("need the simple-icons set in %s, found %d icons", icons, len(svgs))
	}
	slices.Sort(others)
	rng := rand.New(rand.NewPCG(7, 11))
	rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	for _, n := range append(slices.Clone(lookAlikes), others[:100]...) {
		raw, err := rasterSVG(filepath.Join(icons, n+".svg"))
		if err != nil {
			continue // a look-alike missing from this simple-icons release
		}
		if img, err := png.Decode(bytes.NewReader(raw)); err == nil {
			in.Distractors = append(in.Distractors, img)
		}
	}
	for _, ext := range []string{"*.jpg", "*.png"} {
		files, _ := filepath.Glob(filepath.Join(dir, "opencv-data", ext))
		for _, f := range files {
			if slices.Contains(heldOutScenes, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))) {
				continue
			}
			img, err := loadImage(f)
			if err == nil && min(img.Bounds().Dx(), img.Bounds().Dy()) >= 240 {
				in.Scenes = append(in.Scenes, img)
			}
		}
	}
	if len(in.Scenes) < 5 {
		return in, nil, fmt.Errorf("need photos in %s/opencv-data", dir)
	}
	for _, name := range BenchFonts {
		f, err := LoadFont(filepath.Join(fontDir, name))
		if err != nil {
			return in, nil, err
		}
		in.Fonts = append(in.Fonts, f)
	}
	return in, refs, nil
}

// LoadFont parses a TrueType font file.
func LoadFont(path string) (*opentype.Font, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := opentype.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

func loadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// rasterSVG renders an icon to a 256-px-high transparent PNG with
// rsvg-convert: the pure-Go SVG renderer draws some simple-icons paths
// wrong (the Nike swoosh comes out a wedge).
func rasterSVG(path string) ([]byte, error) {
	rsvg, err := exec.LookPath("rsvg-convert")
	if err != nil {
		return nil, errors.New("rsvg-convert is missing: install librsvg2-bin (make bench-data does)")
	}
	out, err := exec.Command(rsvg, "-h", "256", path).Output()
	if err != nil {
		return nil, fmt.Errorf("rsvg-convert %s: %w", path, err)
	}
	return out, nil
}

// RefSource serves a fixed reference set (brands and their logos) to the
// vision engine, as Redis does in production.
type RefSource struct {
	brands []models.Brand
	logos  []models.Logo
	images map[string][]byte
}

// NewRefSource registers one logo per brand: logos maps a brand id to its
// PNG or JPEG bytes.
func NewRefSource(brands []models.Brand, logos map[string][]byte) *RefSource {
	r := &RefSource{brands: brands, images: map[string][]byte{}}
	for _, b := range brands {
		if raw, ok := logos[b.ID]; ok {
			id := "logo-" + b.ID
			r.logos = append(r.logos, models.Logo{ID: id, BrandID: b.ID, CreatedAt: time.Unix(0, 0).UTC()})
			r.images[id] = raw
		}
	}
	return r
}

// RefVersion implements vision.RefSource: the set never changes.
func (r *RefSource) RefVersion(context.Context) (int64, error) { return 1, nil }

// Brands implements vision.RefSource.
func (r *RefSource) Brands(context.Context) ([]models.Brand, error) { return r.brands, nil }

// Logos implements vision.RefSource.
func (r *RefSource) Logos(context.Context) ([]models.Logo, error) { return r.logos, nil }

// LogoImages implements vision.RefSource.
func (r *RefSource) LogoImages(_ context.Context, ids []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ids))
	for _, id := range ids {
		if raw, ok := r.images[id]; ok {
			out[id] = raw
		}
	}
	return out, nil
}
