// Package vision reads listing pictures: it finds registered brand marks and
// the text written into them. Its API is pure Go; cgo (OpenCV, tesseract)
// stays in the leaf packages vision/logo and vision/ocr.
package vision

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"counterlens/models"
	"counterlens/vision/decode"
	"counterlens/vision/logo"
	"counterlens/vision/ocr"
	"counterlens/vision/phash"
	"counterlens/vision/text"
)

// Errors of [Engine.AnalyzeImage], besides those of vision/decode.
var (
	// ErrUnsupported: not an image format we decode.
	ErrUnsupported = decode.ErrUnsupported
	// ErrUndecodable: corrupt, truncated, or a decompression bomb.
	ErrUndecodable = decode.ErrUndecodable
)

// RefSource is where the brand reference set lives (Redis, shared by every
// worker). Version changes whenever a brand or a logo changes.
type RefSource interface {
	RefVersion(ctx context.Context) (int64, error)
	Brands(ctx context.Context) ([]models.Brand, error)
	Logos(ctx context.Context) ([]models.Logo, error)
	LogoImages(ctx context.Context, ids []string) (map[string][]byte, error)
}

// DescriptorStore keeps the matcher descriptors of reference logos beside
// them. When the [RefSource] also implements it, each logo is prepared once,
// by the first engine that loads it, and every other engine decodes the
// stored descriptor instead (far faster, see docs/benchmarks.md).
type DescriptorStore interface {
	LogoDescriptors(ctx context.Context, ids []string) (map[string][]byte, error)
	PutLogoDescriptor(ctx context.Context, id string, desc []byte) error
}

// Config configures the engine.
type Config struct {
	Limits decode.Limits
	Logo   logo.Config
	OCR    ocr.Config
	// Workers caps how many images are analysed at once (cgo work cannot be
	// interrupted, so this is what bounds CPU use).
	Workers int
	// MinLogoConfidence drops weaker logo detections.
	MinLogoConfidence float64
	// DisableOCR skips text recognition (for machines without tesseract
	// data, or for logo-only benchmarks).
	DisableOCR bool
	// RefreshWait is how long an analysis waits for a newer reference set
	// being loaded beside the current one before it goes on with the
	// current one. A logo added or deleted loads in well under it.
	RefreshWait time.Duration
	// RefreshTimeout bounds one reload of the reference set.
	RefreshTimeout time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Limits:            decode.DefaultLimits(),
		Logo:              logo.DefaultConfig(),
		OCR:               ocr.DefaultConfig(),
		Workers:           runtime.NumCPU(),
		MinLogoConfidence: 0.5,
		RefreshWait:       3 * time.Second,
		RefreshTimeout:    5 * time.Minute,
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.Workers < 1 {
		return errors.New("vision: workers must be at least 1")
	}
	if c.MinLogoConfidence < 0 || c.MinLogoConfidence > 1 {
		return errors.New("vision: min logo confidence must be in [0,1]")
	}
	if c.RefreshWait < 0 || c.RefreshTimeout <= 0 {
		return errors.New("vision: refresh wait must be >= 0 and refresh timeout positive")
	}
	if err := c.Logo.Validate(); err != nil {
		return fmt.Errorf("vision: %w", err)
	}
	if !c.DisableOCR {
		if err := c.OCR.Validate(); err != nil {
			return fmt.Errorf("vision: %w", err)
		}
	}
	return nil
}

// Refs is one consistent view of the brand reference set.
type Refs struct {
	Version int64
	Brands  []models.Brand
	// Text finds the brands (names and aliases), risk terms and contacts
	// in text.
	Text *text.Matcher
	byID map[string]models.Brand
}

// Brand returns a brand of the set by id.
func (r *Refs) Brand(id string) (models.Brand, bool) {
	b, ok := r.byID[id]
	return b, ok
}

// Engine analyses images against the reference set. It is safe for
// concurrent use.
type Engine struct {
	cfg  Config
	refs RefSource
	det  *logo.Detector
	ocr  *ocr.Pool
	lex  *text.Lexicon
	sem  chan struct{}
	log  *slog.Logger

	cur atomic.Pointer[Refs]
	// reloading is the reload in flight, if any (one at a time).
	reloadMu  sync.Mutex
	reloading *reloadCall
	// loaded is, per logo id in the detector, its brand and content digest;
	// only the running reload touches it.
	loaded map[string]loadedLogo
	// life is cancelled by Close, stopping a reload in flight.
	life context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup
}

type loadedLogo struct{ brandID, sha string }

// reloadCall is one reload of the reference set; done is closed when refs
// and err are set.
type reloadCall struct {
	done chan struct{}
	refs *Refs
	err  error
}

// New builds an engine. Close it to free the OCR clients and OpenCV state.
func New(cfg Config, refs RefSource, log *slog.Logger) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	det, err := logo.New(cfg.Logo)
	if err != nil {
		return nil, fmt.Errorf("logo detector: %w", err)
	}
	e := &Engine{cfg: cfg, refs: refs, det: det, lex: text.DefaultLexicon(),
		sem: make(chan struct{}, cfg.Workers), log: log, loaded: map[string]loadedLogo{}}
	e.life, e.stop = context.WithCancel(context.Background())
	if !cfg.DisableOCR {
		if e.ocr, err = ocr.NewPool(cfg.OCR); err != nil {
			_ = det.Close()
			return nil, fmt.Errorf("ocr: %w", err)
		}
	}
	e.cur.Store(&Refs{Version: -1, Text: text.NewMatcher(nil, e.lex), byID: map[string]models.Brand{}})
	return e, nil
}

// Close frees the engine's resources.
func (e *Engine) Close() error {
	e.stop()
	e.wg.Wait()
	var errs []error
	if e.ocr != nil {
		errs = append(errs, e.ocr.Close())
	}
	errs = append(errs, e.det.Close())
	return errors.Join(errs...)
}

// Refs returns the current reference set. When Redis holds a newer version,
// the new set is built beside the current one (only new or changed logos are
// prepared; stored descriptors are decoded) and swapped in: analyses wait
// for it at most RefreshWait and meanwhile go on with the current set, so a
// logo uploaded a moment ago is used by the next analysis, on every worker,
// without a restart and without pausing analysis. Only the very first load
// is waited for in full.
func (e *Engine) Refs(ctx context.Context) (*Refs, error) {
	v, err := e.refs.RefVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("reference version: %w", err)
	}
	cur := e.cur.Load()
	if cur.Version >= v {
		return cur, nil
	}
	call := e.startReload(v)
	var timeout <-chan time.Time
	if cur.Version >= 0 {
		t := time.NewTimer(e.cfg.RefreshWait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-call.done:
		if call.err != nil {
			if cur.Version >= 0 {
				return cur, nil // logged by the reload
			}
			return nil, call.err
		}
		return call.refs, nil
	case <-timeout:
		return cur, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// startReload returns the reload in flight, starting one for version v if
// there is none. It runs on the engine's own context, not the caller's: a
// cancelled analysis must not abort a reload others wait for.
func (e *Engine) startReload(v int64) *reloadCall {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	if e.reloading != nil {
		return e.reloading
	}
	call := &reloadCall{done: make(chan struct{})}
	e.reloading = call
	e.wg.Go(func() {
		ctx, cancel := context.WithTimeout(e.life, e.cfg.RefreshTimeout)
		defer cancel()
		call.refs, call.err = e.reload(ctx, v)
		if call.err != nil {
			e.log.Error("cannot load the reference set", "version", v, "err", call.err)
		}
		e.reloadMu.Lock()
		e.reloading = nil
		e.reloadMu.Unlock()
		close(call.done)
	})
	return call
}

// reload loads the reference set at version v. Analyses running meanwhile
// go on with the previous set. Logos already in the detector are reused;
// new ones are decoded from their stored descriptor, or prepared from their
// image (and their descriptor stored for the other engines).
func (e *Engine) reload(ctx context.Context, v int64) (*Refs, error) {
	t0 := time.Now()
	brands, err := e.refs.Brands(ctx)
	if err != nil {
		return nil, fmt.Errorf("load brands: %w", err)
	}
	logos, err := e.refs.Logos(ctx)
	if err != nil {
		return nil, fmt.Errorf("load logos: %w", err)
	}
	var fresh []string
	for _, l := range logos {
		if e.loaded[l.ID] != (loadedLogo{l.BrandID, l.SHA256}) {
			fresh = append(fresh, l.ID)
		}
	}
	descs := map[string][]byte{}
	ds, hasDS := e.refs.(DescriptorStore)
	if hasDS && len(fresh) > 0 {
		if descs, err = ds.LogoDescriptors(ctx, fresh); err != nil {
			return nil, fmt.Errorf("load logo descriptors: %w", err)
		}
	}
	var need []string
	for _, id := range fresh {
		if d, ok := descs[id]; !ok || e.det.CheckDescriptor(d) != nil {
			delete(descs, id)
			need = append(need, id)
		}
	}
	imgs, err := e.refs.LogoImages(ctx, need)
	if err != nil {
		return nil, fmt.Errorf("load logo images: %w", err)
	}
	refs := make([]logo.Reference, 0, len(logos))
	for _, l := range logos {
		r := logo.Reference{LogoID: l.ID, BrandID: l.BrandID, Rev: l.SHA256, Descriptor: descs[l.ID]}
		if data, ok := imgs[l.ID]; ok {
			img, _, err := decode.Logo(data, e.cfg.Limits)
			if err != nil {
				e.log.Warn("cannot decode reference logo", "logo_id", l.ID, "brand_id", l.BrandID, "err", err)
				continue
			}
			r.Image = img
		} else if slices.Contains(need, l.ID) {
			continue // deleted meanwhile
		}
		refs = append(refs, r)
	}
	if err := e.det.SetReferences(refs); err != nil {
		// The usable references are installed all the same.
		e.log.Warn("some reference logos are unusable", "version", v, "err", err)
	}
	loaded := make(map[string]loadedLogo, len(logos))
	for _, l := range logos {
		if e.det.Has(l.ID, l.SHA256) {
			loaded[l.ID] = loadedLogo{l.BrandID, l.SHA256}
		}
	}
	e.loaded = loaded
	stored := 0
	if hasDS {
		for _, id := range need {
			d, ok := e.det.Descriptor(id)
			if !ok {
				continue
			}
			if err := ds.PutLogoDescriptor(ctx, id, d); err != nil {
				e.log.Warn("cannot store a logo descriptor", "logo_id", id, "err", err)
				continue
			}
			stored++
		}
	}
	r := &Refs{Version: v, Brands: brands, Text: text.NewMatcher(brands, e.lex),
		byID: make(map[string]models.Brand, len(brands))}
	for _, b := range brands {
		r.byID[b.ID] = b
	}
	e.cur.Store(r)
	e.log.Info("reference set loaded", "version", v, "brands", len(brands), "logos", len(loaded),
		"decoded", len(fresh)-len(need), "prepared", len(need), "descriptors_stored", stored, "duration", time.Since(t0))
	return r, nil
}

// ImageOptions qualifies one analysis.
type ImageOptions struct {
	// Region is the default phone region (ISO 3166 alpha-2) for numbers
	// written without a country code; "" accepts international numbers only.
	Region string
}

// AnalyzeImage decodes data and reports what is in it: its control number
// (SHA-256 of the bytes), perceptual hash, the registered marks found and the
// text written into it, with their signals. Signals carry no image index.
func (e *Engine) AnalyzeImage(ctx context.Context, data []byte, opt ImageOptions) (models.ImageReport, error) {
	sum := sha256.Sum256(data)
	rep := models.ImageReport{SHA256: hex.EncodeToString(sum[:]), Signals: []models.Signal{}}
	img, format, err := decode.Image(data, e.cfg.Limits)
	if err != nil {
		return rep, err
	}
	b := img.Bounds()
	rep.Format, rep.Width, rep.Height = format, b.Dx(), b.Dy()
	if h, err := phash.Hash(img); err == nil {
		rep.PHash = phash.Hex(h)
	}
	refs, err := e.Refs(ctx)
	if err != nil {
		return rep, err
	}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return rep, ctx.Err()
	}
	defer func() { <-e.sem }()
	if err := e.findLogos(ctx, img, refs, &rep); err != nil {
		return rep, err
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	if err := e.readText(ctx, img, refs, opt, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

func (e *Engine) findLogos(ctx context.Context, img image.Image, refs *Refs, rep *models.ImageReport) error {
	dets, err := e.det.Detect(ctx, img)
	if err != nil {
		return fmt.Errorf("detect logos: %w", err)
	}
	origin := img.Bounds().Min
	best := map[string]int{} // one signal per brand: the most confident
	for _, d := range dets {
		if d.Confidence < e.cfg.MinLogoConfidence {
			continue
		}
		brand, ok := refs.Brand(d.BrandID)
		if !ok {
			continue // brand deleted since the detector was loaded
		}
		r := d.Box.Sub(origin)
		s := models.Signal{
			Type: models.SignalLogo, BrandID: d.BrandID, LogoID: d.LogoID,
			Confidence: d.Confidence, Method: d.Method,
			BBox:   &models.BBox{X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy()},
			Reason: fmt.Sprintf("the registered %s mark is in the picture (%s match, %.0f%%)", brand.Name, d.Method, d.Confidence*100),
		}
		if i, ok := best[d.BrandID]; ok {
			if rep.Signals[i].Confidence < s.Confidence {
				rep.Signals[i] = s
			}
			continue
		}
		best[d.BrandID] = len(rep.Signals)
		rep.Signals = append(rep.Signals, s)
	}
	return nil
}

func (e *Engine) readText(ctx context.Context, img image.Image, refs *Refs, opt ImageOptions, rep *models.ImageReport) error {
	if e.ocr == nil {
		return nil
	}
	words, err := e.ocr.Recognize(ctx, img)
	if err != nil {
		return fmt.Errorf("ocr: %w", err)
	}
	origin := img.Bounds().Min
	for i := range words {
		words[i].BBox.X -= origin.X
		words[i].BBox.Y -= origin.Y
	}
	rep.Words = words
	rep.Text = joinWords(words)
	rep.Signals = append(rep.Signals, refs.Text.FindWords(words, text.Options{Source: models.SourceImageText, Region: opt.Region})...)
	return nil
}

// joinWords rebuilds the text, one line per row of words.
func joinWords(words []models.Word) string {
	var out []byte
	for i, w := range words {
		if i > 0 {
			prev := words[i-1].BBox
			if w.BBox.Y > prev.Y+prev.H/2 || w.BBox.X < prev.X {
				out = append(out, '\n')
			} else {
				out = append(out, ' ')
			}
		}
		out = append(out, w.Text...)
	}
	return string(out)
}
