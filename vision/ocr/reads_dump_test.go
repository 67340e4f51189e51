//go:build cgo

package ocr

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkReads writes every tesseract call Recognize makes on the dev
// set, the seeds of COUNTERLENS_BENCH_SEEDS and the photos without text,
// one a row, as tab-separated values, to the file COUNTERLENS_READS_DUMP
// names: which line of which image, which reading of it (first, larger,
// other), the size handed to tesseract, the thread's CPU time in the call,
// tesseract's words before the confidence floor and which reading the line
// kept. It is how the cost of reading lines is split by call, and how a
// rule that skips a reading is checked against the readings it would have
// changed.
func BenchmarkReads(b *testing.B) {
	out := os.Getenv("COUNTERLENS_READS_DUMP")
	if out == "" {
		b.Skip("COUNTERLENS_READS_DUMP is not set")
	}
	ins := studyInputs(b)
	kinds := map[int]string{-1: "none", readFirst: "first", readLarger: "larger", readOther: "other"}
	p := newTestPool(b, 1)
	// the thread's CPU time means the call's only on a held thread
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for b.Loop() {
		var sb strings.Builder
		sb.WriteString("set\timage\tline\tonband\tkind\tw\th\tcpu_us\tboxes\tkept\n")
		for _, in := range ins {
			var calls []readEvent
			p.trace = func(ev readEvent) {
				if !ev.done {
					calls = append(calls, ev)
					return
				}
				onband := !in.band.Empty() && ev.line.Intersect(in.band).Dy()*2 >= ev.line.Dy()
				for _, c := range calls {
					var bx []string
					for _, x := range c.boxes {
						bx = append(bx, fmt.Sprintf("%q@%.0f", strings.TrimSpace(x.Word), x.Confidence))
					}
					fmt.Fprintf(&sb, "%s\t%s\t%v\t%v\t%s\t%d\t%d\t%d\t%s\t%s\n", in.set, in.name, ev.line, onband,
						kinds[c.kind], c.w, c.h, c.cpu.Microseconds(), strings.Join(bx, " "), kinds[ev.kind])
				}
				calls = calls[:0]
			}
			if _, err := p.Recognize(context.Background(), in.img); err != nil {
				b.Fatal(err)
			}
		}
		p.trace = nil
		if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}
