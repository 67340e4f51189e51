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

// BenchmarkWords writes Recognize's words (text, confidence, box) on the
// dev set, a fresh seed (2) and the photos without text, one image a line,
// to the file COUNTERLENS_WORDS_DUMP names. Run it before and after a
// change meant to keep the readings as they are and compare the two
// files; it also prints the tesseract calls a photo without text costs.
func BenchmarkWords(b *testing.B) {
	out := os.Getenv("COUNTERLENS_WORDS_DUMP")
	if out == "" {
		b.Skip("COUNTERLENS_WORDS_DUMP is not set")
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
	p := newTestPool(b, 1)
	for b.Loop() {
		var sb strings.Builder
		for _, in := range ins {
			ws, err := p.Recognize(context.Background(), in.img)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(&sb, "%s:", in.name)
			for _, w := range ws {
				fmt.Fprintf(&sb, " %q/%.3f/%v", w.Text, w.Confidence, w.BBox)
			}
			sb.WriteByte('\n')
		}
		if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
