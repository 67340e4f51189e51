//go:build cgo

package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/otiai10/gosseract/v2"
	"gocv.io/x/gocv"

	"counterlens/internal/cpuclock"
	"counterlens/models"
)

// Pool reads text with a fixed set of tesseract clients, one per worker:
// a gosseract client holds its current image and is not safe for
// concurrent use, so each call borrows one for itself.
type Pool struct {
	cfg     Config
	clients chan *gosseract.Client
	mu      sync.Mutex
	closed  bool
	all     []*gosseract.Client
	// trace, when set (by tests), hears every tesseract call and the
	// reading each line keeps ([readEvent]).
	trace func(readEvent)
}

// NewPool starts cfg.Workers tesseract clients and checks that they load
// the configured languages.
func NewPool(cfg Config) (*Pool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Pool{cfg: cfg, clients: make(chan *gosseract.Client, cfg.Workers)}
	for range cfg.Workers {
		c, err := newClient(cfg)
		if err != nil {
			_ = p.Close()
			return nil, err
		}
		p.all = append(p.all, c)
		p.clients <- c
	}
	return p, nil
}

func newClient(cfg Config) (*gosseract.Client, error) {
	c := gosseract.NewClient()
	if cfg.TessdataPrefix != "" {
		if err := c.SetTessdataPrefix(cfg.TessdataPrefix); err != nil {
			c.Close()
			return nil, fmt.Errorf("ocr: tessdata prefix: %w", err)
		}
	}
	err := errors.Join(
		c.SetLanguage(cfg.Languages...),
		c.SetPageSegMode(gosseract.PSM_SINGLE_LINE),
		c.SetVariable("user_defined_dpi", "300"),
		// lines come in dark on light already; tesseract's own retry on
		// the inverted image would read every unsure line twice
		c.SetVariable("tessedit_do_invert", "0"),
		c.DisableOutput(),
	)
	if err == nil {
		// load the languages now, on a blank line, so a missing
		// traineddata file fails here and not on the first photo
		err = c.SetImageFromBytes(pbm(make([]byte, 32*16), 32, 16, 0))
		if err == nil {
			_, err = c.GetBoundingBoxes(gosseract.RIL_WORD)
		}
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("ocr: start tesseract (%s): %w", strings.Join(cfg.Languages, "+"), err)
	}
	return c, nil
}

// Close waits for the clients in use and frees them all.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	var errs []error
	for range p.all {
		c := <-p.clients
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// Recognize returns the words in img with boxes in img's pixels and
// confidences in [0, 1], line by line from the top. It finds text regions
// first and returns no words, without running tesseract, when there are
// none. It blocks for a free client, honouring ctx.
func (p *Pool) Recognize(ctx context.Context, img image.Image) (words []models.Word, err error) {
	defer func() {
		if r := recover(); r != nil {
			words, err = nil, fmt.Errorf("ocr: recognize: panic: %v", r)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := img.Bounds()
	if b.Dx() < 16 || b.Dy() < 8 {
		return nil, nil
	}
	g, err := grayMat(img)
	if err != nil {
		return nil, fmt.Errorf("ocr: convert image: %w", err)
	}
	defer g.Close()

	// search for lines at a bounded size
	scale := min(1, float64(p.cfg.MaxSide)/float64(max(b.Dx(), b.Dy())))
	search := g
	if scale < 1 {
		small := gocv.NewMat()
		defer small.Close()
		gocv.Resize(g, &small, image.Pt(int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)), 0, 0, gocv.InterpolationArea)
		search = small
	}
	lines := findLines(search, p.cfg.MinTextHeight, p.cfg.MaxRegions)
	if len(lines) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	c, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { p.clients <- c }()

	slices.SortFunc(lines, func(a, b region) int {
		if a.r.Min.Y != b.r.Min.Y {
			return a.r.Min.Y - b.r.Min.Y
		}
		return a.r.Min.X - b.r.Min.X
	})
	full := image.Rect(0, 0, b.Dx(), b.Dy())
	var read []image.Rectangle
	for _, ln := range lines {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		seed := ln.r
		var light bool
		ln.r, light = growLine(search, ln.r)
		if slices.ContainsFunc(read, func(o image.Rectangle) bool { return sameBox(o, ln.r) }) {
			continue // two seeds of one line
		}
		// a texture is not worth a tesseract call; a line grown much
		// taller than its letters is judged by its seed
		if !lineRow(search, ln.r, seed, light) {
			continue
		}
		read = append(read, ln.r)
		// the line in original pixels, with a margin
		r := image.Rect(int(float64(ln.r.Min.X)/scale), int(float64(ln.r.Min.Y)/scale),
			int(math.Ceil(float64(ln.r.Max.X)/scale)), int(math.Ceil(float64(ln.r.Max.Y)/scale)))
		pad := r.Dy() / 4
		r = image.Rect(r.Min.X-pad*2, r.Min.Y-pad, r.Max.X+pad*2, r.Max.Y+pad).Intersect(full)
		ws, err := p.readLine(c, g, r, light)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			w.BBox.X += b.Min.X
			w.BBox.Y += b.Min.Y
			words = append(words, w)
		}
	}
	return dedupeWords(words), nil
}

func (p *Pool) acquire(ctx context.Context) (*gosseract.Client, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	select {
	case c := <-p.clients:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readLine reads the line in r of the grey image g: scaled to the target
// height, binarised with Otsu and turned dark-on-light by looking at its
// border. When tesseract drops a word-shaped reading as unsure, the line
// is read again a quarter larger: its reading of a word is not stable
// across scales ("AD1DAS" at 3 % at one size, 87 % at the next), so a
// second size is a second opinion on the same ink, taken when it is sure.
// When no reading is sure, the other polarity is read too. The best reading is kept.
// Boxes come back in g's pixels.
func (p *Pool) readLine(c *gosseract.Client, g gocv.Mat, r image.Rectangle, light bool) ([]models.Word, error) {
	roi := g.Region(r)
	defer roi.Close()
	// the line box holds the text plus a quarter-height margin each side
	textH := float64(r.Dy()) / 1.5
	s := min(p.cfg.MaxUpscale, max(0.5, float64(p.cfg.TargetHeight)/textH))

	best, bestScore, bestKind := []models.Word(nil), -1.0, -1
	keep := func(ws []models.Word, score float64, kind int) {
		if score > bestScore {
			best, bestScore, bestKind = ws, score, kind
		}
	}
	ws, score, sure, dropped, err := p.readScaled(c, roi, s, light, readFirst)
	if err != nil {
		return nil, err
	}
	keep(ws, score, readFirst)
	if dropped {
		// a second opinion counts only when it is sure: on textures the
		// larger size reads junk just above the confidence floor
		ws2, score2, sure2, _, err := p.readScaled(c, roi, s*rereadScale, light, readLarger)
		if err != nil {
			return nil, err
		}
		if sure2 {
			keep(ws2, score2, readLarger)
			sure = true
		}
	}
	if !sure {
		// the polarity read from the line's margin is right far more
		// often than not: the other one, whose ink is the letters'
		// counters, must read twice as much to replace it
		ws, score, _, _, err = p.readScaled(c, roi, s, !light, readOther)
		if err != nil {
			return nil, err
		}
		keep(ws, score/2, readOther)
	}
	if p.trace != nil {
		if len(best) == 0 {
			bestKind = -1
		}
		p.trace(readEvent{kind: bestKind, done: true, line: r})
	}
	out := best[:0]
	for _, w := range best {
		w.BBox.X += r.Min.X
		w.BBox.Y += r.Min.Y
		out = append(out, w)
	}
	return out, nil
}

// rereadScale is how much larger a line with an unsure word is read again.
const rereadScale = 1.25

// readScaled reads roi scaled by s and binarised with Otsu, dark on light
// (inverted when light). It returns the words with boxes in roi's pixels,
// their score (confidence times length, summed), whether their mean
// confidence is sure (at least 0.7), and whether tesseract dropped a word
// as unsure.
func (p *Pool) readScaled(c *gosseract.Client, roi gocv.Mat, s float64, light bool, kind int) (_ []models.Word, score float64, sure, dropped bool, _ error) {
	scaled := gocv.NewMat()
	defer scaled.Close()
	interp := gocv.InterpolationCubic
	if s < 1 {
		interp = gocv.InterpolationArea
	}
	W, H := roi.Cols(), roi.Rows()
	gocv.Resize(roi, &scaled, image.Pt(max(1, int(float64(W)*s)), max(1, int(float64(H)*s))), 0, 0, interp)
	sx, sy := float64(scaled.Cols())/float64(W), float64(scaled.Rows())/float64(H)

	bin := gocv.NewMat()
	defer bin.Close()
	typ := gocv.ThresholdBinary
	if light {
		// light text on a dark banner: make it dark on light
		typ = gocv.ThresholdBinaryInv
	}
	gocv.Threshold(scaled, &bin, 0, 255, typ|gocv.ThresholdOtsu)
	clearEdges(bin)
	ws, dropped, err := p.tesseract(c, bin, kind)
	if err != nil {
		return nil, 0, false, false, err
	}
	confSum := 0.0
	out := ws[:0]
	for _, w := range ws {
		score += w.Confidence * float64(len([]rune(w.Text)))
		confSum += w.Confidence
		b := w.BBox
		x0, y0 := max(0, int(float64(b.X)/sx)), max(0, int(float64(b.Y)/sy))
		x1, y1 := min(W, int(math.Ceil(float64(b.X+b.W)/sx))), min(H, int(math.Ceil(float64(b.Y+b.H)/sy)))
		if x1 <= x0 || y1 <= y0 {
			continue
		}
		w.BBox = models.BBox{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
		out = append(out, w)
	}
	sure = len(ws) > 0 && confSum/float64(len(ws)) >= 0.7
	return out, score, sure, dropped, nil
}

// borderPad is the white margin tesseract gets around a line.
const borderPad = 12

// tesseract reads one binarised line in a single recognition pass and
// returns its words with boxes in bin's pixels, and whether it dropped a
// word-shaped reading ([wordShaped]) under the confidence floor.
func (p *Pool) tesseract(c *gosseract.Client, bin gocv.Mat, kind int) (_ []models.Word, dropped bool, _ error) {
	var cpu0 time.Duration
	if p.trace != nil {
		cpu0 = cpuclock.Thread()
	}
	if err := c.SetImageFromBytes(pbm(matBytes(bin), bin.Cols(), bin.Rows(), borderPad)); err != nil {
		return nil, false, fmt.Errorf("ocr: set image: %w", err)
	}
	boxes, err := c.GetBoundingBoxes(gosseract.RIL_WORD)
	if err != nil {
		return nil, false, fmt.Errorf("ocr: recognize: %w", err)
	}
	if p.trace != nil {
		p.trace(readEvent{kind: kind, w: bin.Cols(), h: bin.Rows(), boxes: boxes, cpu: cpuclock.Thread() - cpu0})
	}
	var out []models.Word
	for _, bx := range boxes {
		t := strings.TrimSpace(bx.Word)
		conf := bx.Confidence / 100
		if t == "" {
			continue
		}
		if conf < p.cfg.MinWordConfidence {
			dropped = dropped || wordShaped(t)
			continue
		}
		r := bx.Box.Sub(image.Pt(borderPad, borderPad))
		out = append(out, models.Word{Text: t, Confidence: min(1, max(0, conf)),
			BBox: models.BBox{X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy()}})
	}
	return out, dropped, nil
}

// wordShaped reports whether t, a word tesseract was unsure of, could be
// a word worth a second reading: four or more letters and digits and
// nothing else. Textures read as short runs and symbols ("oe", "¢°¢@",
// "95°42)"); of the words dropped on BenchmarkBare's 21 photos without
// text only a few ("Paty", "PUNE") are word-shaped.
func wordShaped(t string) bool {
	n := 0
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
		n++
	}
	return n >= 4
}

// pbm packs the binarised pixels of a w×h line (0 is ink, anything else
// paper) into a binary PBM, one bit a pixel, with a white border of pad
// pixels. leptonica reads a PNM from memory a byte at a time (a PGM of a
// line cost about 2.6 M instructions to read), so eight pixels a byte read
// eight times faster; and tesseract takes a 1-bit image as already
// binarised, which ours is, instead of thresholding it again.
func pbm(pix []byte, w, h, pad int) []byte {
	W, H := w+2*pad, h+2*pad
	bpl := (W + 7) / 8
	hdr := fmt.Sprintf("P4\n%d %d\n", W, H)
	out := make([]byte, len(hdr)+bpl*H)
	copy(out, hdr)
	data := out[len(hdr):]
	for y := range h {
		row := data[(y+pad)*bpl : (y+pad+1)*bpl]
		for x, v := range pix[y*w : (y+1)*w] {
			if v == 0 {
				row[(x+pad)>>3] |= 0x80 >> ((x + pad) & 7)
			}
		}
	}
	return out
}

// borderMean is the mean of the outermost rows and columns of m.
func borderMean(m gocv.Mat) float64 {
	w, h := m.Cols(), m.Rows()
	pix := matBytes(m)
	sum, n := 0, 0
	for x := 0; x < w; x++ {
		sum += int(pix[x]) + int(pix[(h-1)*w+x])
		n += 2
	}
	for y := 0; y < h; y++ {
		sum += int(pix[y*w]) + int(pix[y*w+w-1])
		n += 2
	}
	return float64(sum) / float64(n)
}

// dedupeWords drops a word read twice where two lines overlapped.
func dedupeWords(ws []models.Word) []models.Word {
	var out []models.Word
	for _, w := range ws {
		dup := false
		for _, o := range out {
			if o.Text == w.Text && overlap(o.BBox, w.BBox) > 0.5 {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, w)
		}
	}
	return out
}

func overlap(a, b models.BBox) float64 {
	ra := image.Rect(a.X, a.Y, a.X+a.W, a.Y+a.H)
	rb := image.Rect(b.X, b.Y, b.X+b.W, b.Y+b.H)
	in := ra.Intersect(rb)
	if in.Empty() {
		return 0
	}
	return float64(in.Dx()*in.Dy()) / float64(min(ra.Dx()*ra.Dy(), rb.Dx()*rb.Dy()))
}

// sameBox reports whether a and b mostly cover each other.
func sameBox(a, b image.Rectangle) bool {
	in := a.Intersect(b)
	return !in.Empty() && in.Dx()*in.Dy()*10 >= max(a.Dx()*a.Dy(), b.Dx()*b.Dy())*6
}
