// Command gendemo builds the demo marketplace data of testdata/demo from
// real inputs: brand marks from simple-icons (CC0 SVGs), photos from
// Debian's opencv-doc sample data and the DejaVu and Liberation fonts.
//
//	go run ./scripts/gendemo -icons DIR -photos DIR -out testdata/demo
//
// scripts/gendemo/fetch.sh fetches the inputs when they are absent. The
// output is deterministic: the same inputs give the same bytes.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/image/font/opentype"
)

// seed makes the generation deterministic.
const seed = 20240611

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gendemo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	icons := fs.String("icons", "/tmp/data/package/icons", "folder of simple-icons SVGs")
	photos := fs.String("photos", "/tmp/data/opencvdoc/usr/share/doc/opencv-doc/examples/data", "folder of opencv-doc sample photos")
	fonts := fs.String("fonts", "/usr/share/fonts/truetype", "folder holding dejavu/ and liberation/")
	out := fs.String("out", "testdata/demo", "output folder")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	g := &generator{icons: *icons, photos: *photos, fonts: *fonts, out: *out,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	if err := g.run(stdout); err != nil {
		fmt.Fprintln(stderr, "gendemo:", err)
		return 1
	}
	return 0
}

type generator struct {
	icons, photos, fonts, out string
	rng                       *rand.Rand
	marks                     map[string]*image.Alpha // slug -> mark mask, cropped
	faces                     map[string]*opentype.Font
}

func (g *generator) run(stdout io.Writer) error {
	for _, dir := range []string{"logos", "media"} {
		if err := os.MkdirAll(filepath.Join(g.out, dir), 0o755); err != nil {
			return err
		}
	}
	g.marks = make(map[string]*image.Alpha)
	for _, b := range demoBrands {
		m, err := rasterMark(filepath.Join(g.icons, b.Slug+".svg"), markRasterSize)
		if err != nil {
			return fmt.Errorf("brand %s: %w", b.Slug, err)
		}
		g.marks[b.Slug] = m
		ref, err := rasterMark(filepath.Join(g.icons, b.Slug+".svg"), referenceSize)
		if err != nil {
			return fmt.Errorf("brand %s: %w", b.Slug, err)
		}
		if err := writePNG(filepath.Join(g.out, "logos", b.Slug+".png"), colorize(ref, hexColor(b.Hex), 12)); err != nil {
			return err
		}
	}
	g.faces = make(map[string]*opentype.Font)
	for _, name := range []string{"dejavu/DejaVuSans-Bold.ttf", "liberation/LiberationSans-Bold.ttf", "liberation/LiberationSans-Regular.ttf"} {
		raw, err := os.ReadFile(filepath.Join(g.fonts, name))
		if err != nil {
			return err
		}
		f, err := opentype.Parse(raw)
		if err != nil {
			return fmt.Errorf("font %s: %w", name, err)
		}
		g.faces[filepath.Base(name)] = f
	}

	var total int64
	for _, spec := range demoImages {
		img, err := g.compose(spec)
		if err != nil {
			return fmt.Errorf("image %s: %w", spec.File, err)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(g.out, "media", spec.File), buf.Bytes(), 0o644); err != nil {
			return err
		}
		total += int64(buf.Len())
		fmt.Fprintf(stdout, "%-28s %4dx%-4d %6d bytes\n", spec.File, img.Bounds().Dx(), img.Bounds().Dy(), buf.Len())
	}
	if err := g.checkListings(); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(g.out, "brands.json"), brandsFile()); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(g.out, "listings.json"), demoListings); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d brands, %d images (%d bytes), %d listings in %s\n",
		len(demoBrands), len(demoImages), total, len(demoListings), g.out)
	return nil
}

// checkListings verifies that every image a listing names is generated.
func (g *generator) checkListings() error {
	files := make(map[string]bool, len(demoImages))
	for _, s := range demoImages {
		files[s.File] = true
	}
	seen := make(map[string]bool)
	for _, l := range demoListings {
		key := l.Platform + "/" + l.ExternalID
		if seen[key] {
			return fmt.Errorf("listing %s twice", key)
		}
		seen[key] = true
		if l.Expect != "suspicious" && l.Expect != "clean" {
			return fmt.Errorf("listing %s: expect %q", key, l.Expect)
		}
		if len(l.Images) == 0 {
			return fmt.Errorf("listing %s has no image", key)
		}
		for _, f := range l.Images {
			if !files[f] {
				return fmt.Errorf("listing %s: no image spec for %s", key, f)
			}
		}
	}
	return nil
}

func brandsFile() []brandJSON {
	out := make([]brandJSON, 0, len(demoBrands))
	for _, b := range demoBrands {
		out = append(out, brandJSON{
			Slug: b.Slug, Name: b.Name, Aliases: b.Aliases,
			MinPrice:          money{Amount: b.MinPrice, Currency: "EUR"},
			AuthorizedSellers: b.AuthorizedSellers,
			Logo:              "logos/" + b.Slug + ".png",
			Color:             "#" + b.Hex,
			Source:            "simple-icons " + b.Slug + ".svg (CC0)",
		})
	}
	return out
}

type money struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
}

type brandJSON struct {
	Slug              string   `json:"slug"`
	Name              string   `json:"name"`
	Aliases           []string `json:"aliases"`
	MinPrice          money    `json:"min_price"`
	AuthorizedSellers []string `json:"authorized_sellers"`
	Logo              string   `json:"logo"`
	Color             string   `json:"color"`
	Source            string   `json:"source"`
}

func writeJSON(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}

func writePNG(path string, img image.Image) error {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// hexColor parses "RRGGBB".
func hexColor(s string) color.RGBA {
	s = strings.TrimPrefix(s, "#")
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil || len(s) != 6 {
		panic(errors.New("bad colour " + s)) // the specs are constants of this program
	}
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}
