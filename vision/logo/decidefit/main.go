// Command decidefit fits the logo detector's learned decision on shape
// matches (vision/logo/decide.go): a logistic model, ridge-regularised
// maximum likelihood by Newton's method (IRLS), over the feature rows of
// BenchmarkLogos' training dumps (COUNTERLENS_BENCH_TRAIN=1, the x= field
// of each shape match, labelled by the dump's third column). It keeps the
// rows it read in a file (-rows) and writes the weights as Go source (-o).
// scripts/fit-logos.sh runs it; with -rows only and no dumps it refits from
// the kept rows, which is what the package's test checks the weights
// against.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"counterlens/vision/logo/internal/decidefeat"
)

// lambda is the ridge penalty on the weights (not the bias): weak against
// thousands of rows, it keeps a feature that separates few of them from
// running off.
const lambda = 1.0

// names are the model's features in order (decidefeat.Names); the
// generated source keys each weight by its constant in vision/logo
// (fit -> fFit).
var names = decidefeat.Names

// row is one shape match: its group (the dump it came from), label and
// features.
type row struct {
	group string
	y     float64
	x     []float64
}

func main() {
	rowsPath := flag.String("rows", "", "file of training rows: written from the dumps, or read when no dump is given")
	out := flag.String("o", "", "Go file to write the weights to (stdout when empty)")
	flag.Parse()
	if err := run(*rowsPath, *out, flag.Args(), os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "decidefit:", err)
		os.Exit(1)
	}
}

func run(rowsPath, out string, dumps []string, log io.Writer) error {
	var rows []row
	if len(dumps) > 0 {
		for _, p := range dumps {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			rs, err := parseDump(f, strings.TrimSuffix(filepath.Base(p), ".tsv"))
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			rows = append(rows, rs...)
		}
		if rowsPath != "" {
			if err := writeFile(rowsPath, func(w io.Writer) error { return writeRows(w, rows) }); err != nil {
				return err
			}
		}
	} else {
		f, err := os.Open(rowsPath)
		if err != nil {
			return err
		}
		rows, err = readRows(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if len(rows) == 0 {
		return errors.New("no training rows")
	}
	w, err := fit(rows, lambda)
	if err != nil {
		return err
	}
	report(log, rows, w)
	if out == "" {
		return source(os.Stdout, w, len(rows))
	}
	return writeFile(out, func(f io.Writer) error { return source(f, w, len(rows)) })
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// parseDump reads the shape matches of a training dump: the lines whose
// method (ninth field) is shape and that carry an x= field of len(names)
// values; the third field is the label.
func parseDump(r io.Reader, group string) ([]row, error) {
	var rows []row
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] == "MISS" || f[8] != "shape" {
			continue
		}
		var xs string
		for _, v := range f[9:] {
			if s, ok := strings.CutPrefix(v, "x="); ok {
				xs = s
			}
		}
		if xs == "" || xs == "-" {
			continue
		}
		x, err := parseFloats(strings.Split(xs, ","))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		y, err := strconv.ParseBool(f[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: label: %w", n, err)
		}
		rows = append(rows, row{group: group, y: b2f(y), x: x})
	}
	return rows, sc.Err()
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func parseFloats(s []string) ([]float64, error) {
	if len(s) != len(names) {
		return nil, fmt.Errorf("%d features, want %d", len(s), len(names))
	}
	x := make([]float64, len(s))
	for i, v := range s {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, err
		}
		x[i] = f
	}
	return x, nil
}

// writeRows writes rows as tab-separated text: a header (group, label,
// the feature names), then one row a line.
func writeRows(w io.Writer, rows []row) error {
	fmt.Fprintf(w, "group\tlabel\t%s\n", strings.Join(names, "\t"))
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%g", r.group, r.y)
		for _, v := range r.x {
			fmt.Fprintf(w, "\t%s", strconv.FormatFloat(v, 'f', -1, 64))
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// readRows reads what writeRows wrote.
func readRows(r io.Reader) ([]row, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		return nil, errors.New("rows: empty")
	}
	if want := "group\tlabel\t" + strings.Join(names, "\t"); sc.Text() != want {
		return nil, fmt.Errorf("rows: header %q, want %q", sc.Text(), want)
	}
	var rows []row
	for n := 2; sc.Scan(); n++ {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 2+len(names) {
			return nil, fmt.Errorf("rows: line %d: %d fields", n, len(f))
		}
		y, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return nil, fmt.Errorf("rows: line %d: %w", n, err)
		}
		x, err := parseFloats(f[2:])
		if err != nil {
			return nil, fmt.Errorf("rows: line %d: %w", n, err)
		}
		rows = append(rows, row{group: f[0], y: y, x: x})
	}
	return rows, sc.Err()
}

// fit returns the ridge-regularised maximum-likelihood logistic weights,
// bias first: Newton steps on the penalised log-likelihood (its Hessian
// is X'WX + λI off the bias) until no weight moves by 1e-10.
func fit(rows []row, lambda float64) ([]float64, error) {
	k := len(names) + 1
	w := make([]float64, k)
	xi := mat.NewVecDense(k, nil)
	for range 100 {
		g := mat.NewVecDense(k, nil)
		h := mat.NewSymDense(k, nil)
		for _, r := range rows {
			xi.SetVec(0, 1)
			for i, v := range r.x {
				xi.SetVec(i+1, v)
			}
			p := predict(w, r.x)
			g.AddScaledVec(g, r.y-p, xi)
			h.SymRankOne(h, p*(1-p), xi)
		}
		for i := 1; i < k; i++ {
			g.SetVec(i, g.AtVec(i)-lambda*w[i])
			h.SetSym(i, i, h.At(i, i)+lambda)
		}
		// The penalised Hessian is positive definite: a Cholesky solve.
		var ch mat.Cholesky
		if !ch.Factorize(h) {
			return nil, errors.New("fit: the Hessian is not positive definite")
		}
		var step mat.VecDense
		if err := ch.SolveVecTo(&step, g); err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
		move := 0.0
		for i := range w {
			w[i] += step.AtVec(i)
			move = math.Max(move, math.Abs(step.AtVec(i)))
		}
		if move < 1e-10 {
			return w, nil
		}
	}
	return nil, errors.New("fit: Newton's method did not converge")
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// predict is the model's probability for x.
func predict(w, x []float64) float64 {
	z := w[0]
	for i, v := range x {
		z += w[i+1] * v
	}
	return sigmoid(z)
}

// report prints the rows' counts, the weights, the reliability of the fit
// on its own rows and, seed by seed, the log-loss of a fit without that
// seed's dumps (leave one seed out), so a change of features can be judged
// on rows it was not fitted on.
func report(log io.Writer, rows []row, w []float64) {
	pos := 0
	for _, r := range rows {
		pos += int(r.y)
	}
	fmt.Fprintf(log, "rows %d, true %d\n", len(rows), pos)
	fmt.Fprintf(log, "bias %+.3f\n", w[0])
	for i, n := range names {
		fmt.Fprintf(log, "%-10s %+.3f\n", n, w[i+1])
	}
	fmt.Fprint(log, reliability(rows, w))
	var groups []string
	seen := map[string]bool{}
	for _, r := range rows {
		if g := seedOf(r.group); !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
	}
	var sum float64
	var n int
	for _, g := range groups {
		var train, test []row
		for _, r := range rows {
			if seedOf(r.group) == g {
				test = append(test, r)
			} else {
				train = append(train, r)
			}
		}
		if len(train) == 0 {
			continue
		}
		wg, err := fit(train, lambda)
		if err != nil {
			fmt.Fprintf(log, "held-out %s: %v\n", g, err)
			continue
		}
		ll := 0.0
		for _, r := range test {
			p := math.Min(math.Max(predict(wg, r.x), 1e-9), 1-1e-9)
			ll -= r.y*math.Log(p) + (1-r.y)*math.Log(1-p)
		}
		sum += ll
		n += len(test)
		fmt.Fprintf(log, "held-out %-16s rows %4d log-loss %.4f\n", g, len(test), ll/math.Max(1, float64(len(test))))
	}
	if n > 0 {
		fmt.Fprintf(log, "held-out log-loss, all dumps: %.4f\n", sum/float64(n))
	}
}

// seedOf is the seed of a dump named train-SEED-REFS (its group), or the
// group itself.
func seedOf(group string) string {
	if i := strings.LastIndexByte(group, '-'); i > 0 && strings.Count(group, "-") >= 2 {
		return group[:i]
	}
	return group
}

// reliability tabulates predicted against observed frequency in five bins
// of the predicted probability.
func reliability(rows []row, w []float64) string {
	var cnt, pos [5]int
	var pred [5]float64
	for _, r := range rows {
		p := predict(w, r.x)
		b := min(4, int(p*5))
		cnt[b]++
		pos[b] += int(r.y)
		pred[b] += p
	}
	var sb strings.Builder
	sb.WriteString("bin      rows  predicted observed\n")
	for b := range 5 {
		if cnt[b] == 0 {
			continue
		}
		fmt.Fprintf(&sb, "%.1f-%.1f %5d  %.3f     %.3f\n", float64(b)/5, float64(b+1)/5, cnt[b], pred[b]/float64(cnt[b]), float64(pos[b])/float64(cnt[b]))
	}
	return sb.String()
}

// source writes the weights as vision/logo's decide_weights.go, gofmt'd.
func source(out io.Writer, wt []float64, nRows int) error {
	var w bytes.Buffer
	fmt.Fprintf(&w, "// Code generated by scripts/fit-logos.sh (vision/logo/decidefit); DO NOT EDIT.\n\npackage logo\n\n")
	fmt.Fprintf(&w, "// decideWeights is the learned decision's model (decide.go), fitted on\n")
	fmt.Fprintf(&w, "// %d shape matches of the benchmark's training seeds 100-107 (our\n", nRows)
	fmt.Fprintf(&w, "// brands) and 200-207 (brands drawn by the seed)\n")
	fmt.Fprintf(&w, "// (testdata/decide-train.tsv), ridge penalty %g.\n", lambda)
	fmt.Fprintf(&w, "var decideWeights = decideModel{\n\tbias: %s,\n\tw: [numDecide]float64{\n", num(wt[0]))
	for i, n := range names {
		fmt.Fprintf(&w, "\t\tf%s%s: %s,\n", strings.ToUpper(n[:1]), n[1:], num(wt[i+1]))
	}
	fmt.Fprintf(&w, "\t},\n}\n")
	src, err := format.Source(w.Bytes())
	if err != nil {
		return err
	}
	_, err = out.Write(src)
	return err
}

// num formats a weight to six significant digits, so the source does not
// change with the last bits of the arithmetic.
func num(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
