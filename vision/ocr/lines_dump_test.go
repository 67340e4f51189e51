//go:build cgo

package ocr

import (
	"fmt"
	"image"
	"os"
	"strings"
	"testing"

	"counterlens/models"
	"counterlens/vision/text"
)

// BenchmarkLines writes the lines the region search finds, box, score and
// polarity, on the dev set, a fresh seed (2) and the photos without text,
// one image a line, to the file COUNTERLENS_LINES_DUMP names. Run it
// before and after a change meant to keep the search's output as it is,
// and compare the two files: a speed change that moves one box shows
// there. It prints the number of lines a photo.
func BenchmarkLines(b *testing.B) {
	out := os.Getenv("COUNTERLENS_LINES_DUMP")
	if out == "" {
		b.Skip("COUNTERLENS_LINES_DUMP is not set")
	}
	photos, names, fonts, m := benchInputs(b)
	opt := text.Options{Source: models.SourceImageText}
	type input struct {
		name string
		img  image.Image
	}
	var ins []input
	for _, seed := range []uint64{1, 2} {
		for i, s := range makeSamples(b, seed, photos, names, fonts, m, opt) {
			ins = append(ins, input{fmt.Sprintf("seed%d #%d", seed, i), s.img})
		}
	}
	for i, ph := range photos {
		ins = append(ins, input{"bare " + names[i], ph})
	}
	cfg := DefaultConfig()
	for b.Loop() {
		var sb strings.Builder
		n := 0
		for _, in := range ins {
			g, err := grayMat(in.img)
			if err != nil {
				b.Fatal(err)
			}
			lines := findLines(g, cfg.MinTextHeight, cfg.MaxRegions)
			g.Close()
			n += len(lines)
			fmt.Fprintf(&sb, "%s:", in.name)
			for _, l := range lines {
				fmt.Fprintf(&sb, " %v/%g/%g", l.r, l.score, l.light)
			}
			sb.WriteByte('\n')
		}
		if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/float64(len(ins)), "lines/image")
	}
}
