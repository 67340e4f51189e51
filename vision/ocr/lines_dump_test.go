//go:build cgo

package ocr

import (
	"context"
	"fmt"
	"image"
	"os"
	"strings"
	"testing"

	"counterlens/models"
	"counterlens/vision/text"
)

// dumpInput is one image of the dumps that show whether a change keeps the
// output as it was: the dev set, a fresh seed (2) and the photos without
// text.
type dumpInput struct {
	name string
	img  image.Image
}

// dumpInputs returns the file the environment variable env names and the
// images to dump into it; it skips b when env is not set.
func dumpInputs(b *testing.B, env string) (string, []dumpInput) {
	out := os.Getenv(env)
	if out == "" {
		b.Skip(env + " is not set")
	}
	photos, names, fonts, m := benchInputs(b)
	opt := text.Options{Source: models.SourceImageText}
	var ins []dumpInput
	for _, seed := range []uint64{1, 2} {
		for i, s := range makeSamples(b, seed, photos, names, fonts, m, opt) {
			ins = append(ins, dumpInput{fmt.Sprintf("seed%d #%d", seed, i), s.img})
		}
	}
	for i, ph := range photos {
		ins = append(ins, dumpInput{"bare " + names[i], ph})
	}
	return out, ins
}

// writeDump writes to out one line an input, its name and then what line
// writes of it.
func writeDump(b *testing.B, out string, ins []dumpInput, line func(sb *strings.Builder, img image.Image)) {
	var sb strings.Builder
	for _, in := range ins {
		fmt.Fprintf(&sb, "%s:", in.name)
		line(&sb, in.img)
		sb.WriteByte('\n')
	}
	if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLines writes the lines the region search finds, box, score and
// polarity, on the dump inputs (dumpInputs), one image a line, to the file
// COUNTERLENS_LINES_DUMP names. Run it before and after a change meant to
// keep the search's output as it is, and compare the two files: a speed
// change that moves one box shows there. It prints the number of lines a
// photo.
func BenchmarkLines(b *testing.B) {
	out, ins := dumpInputs(b, "COUNTERLENS_LINES_DUMP")
	cfg := DefaultConfig()
	for b.Loop() {
		n := 0
		writeDump(b, out, ins, func(sb *strings.Builder, img image.Image) {
			g, err := grayMat(img)
			if err != nil {
				b.Fatal(err)
			}
			lines := findLines(g, cfg.MinTextHeight, cfg.MaxRegions)
			g.Close()
			n += len(lines)
			for _, l := range lines {
				fmt.Fprintf(sb, " %v/%g/%g", l.r, l.score, l.light)
			}
		})
		b.ReportMetric(float64(n)/float64(len(ins)), "lines/image")
	}
}

// BenchmarkWords writes Recognize's words (text, confidence, box) on the
// dump inputs (dumpInputs), one image a line, to the file
// COUNTERLENS_WORDS_DUMP names. Run it before and after a change meant to
// keep the readings as they are and compare the two files.
func BenchmarkWords(b *testing.B) {
	out, ins := dumpInputs(b, "COUNTERLENS_WORDS_DUMP")
	p := newTestPool(b, 1)
	for b.Loop() {
		writeDump(b, out, ins, func(sb *strings.Builder, img image.Image) {
			ws, err := p.Recognize(context.Background(), img)
			if err != nil {
				b.Fatal(err)
			}
			for _, w := range ws {
				fmt.Fprintf(sb, " %q/%.3f/%v", w.Text, w.Confidence, w.BBox)
			}
		})
	}
}
