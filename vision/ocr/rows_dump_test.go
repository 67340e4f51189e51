//go:build cgo

package ocr

import (
	"fmt"
	"image"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"counterlens/models"
	"counterlens/vision/text"
)

// BenchmarkRows writes, for every line the search finds and grows on the
// dev set, the seeds of COUNTERLENS_BENCH_SEEDS and the photos without
// text, the row check's measures of the line and of its seed, whether it
// lies on the drawn banner and what tesseract reads of it, one line a row
// as tab-separated values, to the file COUNTERLENS_ROWS_DUMP names. It is
// how a row check is studied: rows on banners must pass, rows off them
// cost a tesseract call each.
func BenchmarkRows(b *testing.B) {
	out := os.Getenv("COUNTERLENS_ROWS_DUMP")
	if out == "" {
		b.Skip("COUNTERLENS_ROWS_DUMP is not set")
	}
	ins := studyInputs(b)
	p := newTestPool(b, 1)
	c := <-p.clients
	defer func() { p.clients <- c }()
	// stats adds to the row check's measures two it does not read: the
	// coefficient of variation of the letters' heights and the spread of
	// their bottoms over the line's height.
	stats := func(st rowStats, letters []component, ok bool, H int) string {
		var heights, bottoms []float64
		for _, c := range letters {
			heights = append(heights, float64(c.h))
			bottoms = append(bottoms, float64(c.y+c.h)/float64(H))
		}
		var hcv, bsd float64
		if len(letters) > 0 {
			mean, sd := meanSD(heights)
			hcv = sd / mean
			_, bsd = meanSD(bottoms)
		}
		return fmt.Sprintf("%v\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f", ok, st.letters, len(letters), st.fill, st.stroke, st.spread, hcv, bsd, st.inkShare, st.compShare)
	}
	for b.Loop() {
		var sb strings.Builder
		sb.WriteString("set\timage\tline\tord\tonband\tH\tW\tpass\tok\tletters\tcomps\tfill\tstroke\tspread\theights\tbottoms\tink\tcompshare\tsok\tsletters\tscomps\tsfill\tsstroke\tsspread\tsheights\tsbottoms\tsink\tscompshare\tscore\tsure\tread\tscore2\tsure2\tread2\n")
		for _, in := range ins {
			g, err := grayMat(in.img)
			if err != nil {
				b.Fatal(err)
			}
			lines := findLines(g, p.cfg.MinTextHeight, p.cfg.MaxRegions)
			slices.SortFunc(lines, func(a, b region) int {
				if a.r.Min.Y != b.r.Min.Y {
					return a.r.Min.Y - b.r.Min.Y
				}
				return a.r.Min.X - b.r.Min.X
			})
			var read []image.Rectangle
			ord := 0
			for _, ln := range lines {
				seed := ln.r
				var light bool
				ln.r, light = growLine(g, ln.r)
				if slices.ContainsFunc(read, func(o image.Rectangle) bool { return sameBox(o, ln.r) }) {
					continue
				}
				pass := lineRow(g, ln.r, seed, light)
				st, lets, ok := measureRow(g, ln.r, light)
				sst, slets, sok := measureRow(g, seed, light)
				onband := !in.band.Empty() && ln.r.Intersect(in.band).Dy()*2 >= ln.r.Dy()
				score, sure, txt, other := 0.0, false, "", "\t\t"
				if pass {
					read = append(read, ln.r)
					pad := ln.r.Dy() / 4
					r := image.Rect(ln.r.Min.X-pad*2, ln.r.Min.Y-pad, ln.r.Max.X+pad*2, ln.r.Max.Y+pad).Intersect(image.Rect(0, 0, g.Cols(), g.Rows()))
					roi := g.Region(r)
					s := min(p.cfg.MaxUpscale, max(0.5, float64(p.cfg.TargetHeight)/(float64(r.Dy())/1.5)))
					ws, sc, su, _, err := p.readScaled(c, roi, s, light, readFirst)
					roi.Close()
					if err != nil {
						b.Fatal(err)
					}
					score, sure = sc, su
					for _, w := range ws {
						txt += w.Text + " "
					}
					if !su {
						roi := g.Region(r)
						ws2, sc2, su2, _, err := p.readScaled(c, roi, s, !light, readOther)
						roi.Close()
						if err != nil {
							b.Fatal(err)
						}
						other = fmt.Sprintf("%.2f\t%v\t", sc2, su2)
						for _, w := range ws2 {
							other += w.Text + " "
						}
					}
					ord++
				}
				fmt.Fprintf(&sb, "%s\t%s\t%v\t%d\t%v\t%d\t%d\t%v\t%s\t%s\t%.2f\t%v\t%q\t%s\n", in.set, in.name, ln.r, ord, onband,
					ln.r.Dy(), ln.r.Dx(), pass, stats(st, lets, ok, ln.r.Dy()), stats(sst, slets, sok, seed.Dy()), score, sure, strings.TrimSpace(txt), other)
			}
			g.Close()
		}
		if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// studyInput is one image of the study dumps (BenchmarkRows,
// BenchmarkReads): its set, its name, and the drawn banner (empty on the
// photos without text).
type studyInput struct {
	set, name string
	img       image.Image
	band      image.Rectangle
}

// studyInputs returns the dev set, the seeds of COUNTERLENS_BENCH_SEEDS
// and the photos without text, in that order.
func studyInputs(b *testing.B) []studyInput {
	photos, names, fonts, m := benchInputs(b)
	opt := text.Options{Source: models.SourceImageText}
	var ins []studyInput
	seeds := []uint64{1}
	for _, f := range strings.Split(os.Getenv("COUNTERLENS_BENCH_SEEDS"), ",") {
		if s, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64); err == nil {
			seeds = append(seeds, s)
		}
	}
	for _, seed := range seeds {
		for i, s := range makeSamples(b, seed, photos, names, fonts, m, opt) {
			ins = append(ins, studyInput{fmt.Sprintf("seed%d", seed), fmt.Sprintf("#%d %s", i, s.phrase), s.img, s.band})
		}
	}
	for i, ph := range photos {
		ins = append(ins, studyInput{"bare", names[i], ph, image.Rectangle{}})
	}
	return ins
}
