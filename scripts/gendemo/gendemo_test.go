package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestNormalizePath(t *testing.T) {
	cases := map[string]struct {
		in, want string
		fail     bool
	}{
		"arc flags run into numbers": {in: "a.632.632 0 01.195.088", want: "a .632 .632 0 0 1 .195 .088"},
		"implicit repeat":            {in: "M0 0L1-2 3 4z", want: "M 0 0 L 1 -2 3 4 z"},
		"exponent":                   {in: "M1e-3,2E2", want: "M 1e-3 2E2"},
		"chained decimals":           {in: "c-.417-.533-1.146-.106-1.467.08", want: "c -.417 -.533 -1.146 -.106 -1.467 .08"},
		"bad flag":                   {in: "a1 1 0 21 1 1", fail: true},
		"number first":               {in: "1 2", fail: true},
		"unknown command":            {in: "M0 0 X1", fail: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := normalizePath(c.in)
			if c.fail {
				if err == nil {
					t.Fatalf("normalizePath(%q) = %q, want an error", c.in, got)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("normalizePath(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

// TestDeterministic generates the demo twice and compares the bytes. It
// needs the inputs of fetch.sh; GENDEMO_ICONS and GENDEMO_PHOTOS point at
// them when they are not in /tmp/data.
func TestDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 17 photos twice")
	}
	icons := envOr("GENDEMO_ICONS", "/tmp/data/package/icons")
	photos := envOr("GENDEMO_PHOTOS", "/tmp/data/opencvdoc/usr/share/doc/opencv-doc/examples/data")
	// make test fetches the inputs and names them: then missing inputs are a
	// failure, not a reason to skip.
	missing := t.Skipf
	if os.Getenv("GENDEMO_ICONS") != "" || os.Getenv("GENDEMO_PHOTOS") != "" {
		missing = t.Fatalf
	}
	if _, err := os.Stat(filepath.Join(icons, "nike.svg")); err != nil {
		missing("no simple-icons at %s; run scripts/gendemo/fetch.sh", icons)
	}
	if _, err := os.Stat(filepath.Join(photos, "stuff.jpg")); err != nil {
		missing("no opencv-doc photos at %s; run scripts/gendemo/fetch.sh", photos)
	}
	var outs [2]string
	for i := range outs {
		outs[i] = t.TempDir()
		if code := run([]string{"-icons", icons, "-photos", photos, "-out", outs[i]}, io.Discard, os.Stderr); code != 0 {
			t.Fatalf("run %d exited %d", i, code)
		}
	}
	files, err := filepath.Glob(filepath.Join(outs[0], "*", "*"))
	if err != nil || len(files) < len(demoImages)+len(demoBrands) {
		t.Fatalf("generated %d files, %v", len(files), err)
	}
	files = append(files, filepath.Join(outs[0], "brands.json"), filepath.Join(outs[0], "listings.json"))
	for _, a := range files {
		rel, _ := filepath.Rel(outs[0], a)
		x, err1 := os.ReadFile(a)
		y, err2 := os.ReadFile(filepath.Join(outs[1], rel))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs (%v, %v)", rel, err1, err2)
		}
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
