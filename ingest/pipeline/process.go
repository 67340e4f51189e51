package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"counterlens/ingest/evidence"
	"counterlens/ingest/fetch"
	"counterlens/models"
)

// Fetcher downloads one URL politely, byte-exact.
type Fetcher interface {
	Get(ctx context.Context, url string, maxBytes int64) (*fetch.Response, error)
}

// Blobs keeps captured bytes under their control number.
type Blobs interface {
	Put(data []byte) (string, error)
}

// Custody appends to a listing's hash-chained custody log.
type Custody interface {
	AppendCustody(ctx context.Context, listingID string, e evidence.Event) (evidence.Event, error)
}

// Config bounds the work done for one listing.
type Config struct {
	// MaxImages is how many pictures of a listing are fetched.
	MaxImages int
	// MaxImageBytes caps one picture's download.
	MaxImageBytes int64
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{MaxImages: 12, MaxImageBytes: 15 << 20} }

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.MaxImages < 1 || c.MaxImageBytes < 1 {
		return errors.New("pipeline: max images and max image bytes must be positive")
	}
	return nil
}

// ErrRetry wraps a failure that may pass if the job is tried again later.
var ErrRetry = errors.New("temporary failure")

// Processor runs the listing path for one listing: fetch its pictures, keep
// them as evidence, analyse, score.
type Processor struct {
	Cfg      Config
	Fetcher  Fetcher
	Blobs    Blobs
	Analyzer *Analyzer
	Log      *slog.Logger
	// Custody, when set, gets a "captured" event for every fetch and an
	// "analysed" event for every verdict.
	Custody Custody
	// Actor names this process in custody events; "counterlens worker"
	// when empty.
	Actor string
	// Networks, when set, links each analysed listing into its seller
	// network before the verdict is logged.
	Networks NetworkLinker
}

// Process fetches and analyses l and returns it analysed. An error wrapping
// ErrRetry means nothing could be fetched for a reason that may pass; the
// caller may try again later.
func (p *Processor) Process(ctx context.Context, l models.Listing) (models.Listing, error) {
	urls := l.ImageURLs
	if len(urls) > p.Cfg.MaxImages {
		urls = urls[:p.Cfg.MaxImages]
	}
	var images [][]byte
	var retryable int
	captured := make([]models.Evidence, 0, len(urls))
	for _, u := range urls {
		if err := ctx.Err(); err != nil {
			return l, err
		}
		ev, data, err := p.capture(ctx, u)
		captured = append(captured, ev)
		if lerr := p.logCaptured(ctx, l.ID, ev); lerr != nil {
			return l, lerr
		}
		if err != nil {
			p.Log.Warn("cannot fetch image", "listing_id", l.ID, "url", u, "err", err)
			if isTemporary(err) {
				retryable++
			}
			continue
		}
		images = append(images, data)
	}
	if len(urls) > 0 && len(images) == 0 && retryable > 0 {
		return l, fmt.Errorf("%w: no picture of %d could be fetched", ErrRetry, len(urls))
	}
	an, err := p.Analyzer.Analyze(ctx, l, images, false)
	if err != nil {
		return l, err
	}
	if err := p.linkNetwork(ctx, &l, &an); err != nil {
		return l, err
	}
	if err := p.logAnalysed(ctx, l.ID, an); err != nil {
		return l, err
	}
	l.Evidence = mergeEvidence(l.Evidence, captured)
	l.Analysis = &an
	l.Status = models.StatusAnalyzed
	l.Error = ""
	return l, nil
}

// capture fetches one picture and keeps its bytes as evidence, whatever the
// outcome: a failed capture is recorded too.
func (p *Processor) capture(ctx context.Context, url string) (models.Evidence, []byte, error) {
	ev := models.Evidence{URL: url}
	resp, err := p.Fetcher.Get(ctx, url, p.Cfg.MaxImageBytes)
	var se *fetch.StatusError
	if errors.As(err, &se) && se.Response != nil {
		resp = se.Response
	}
	if resp != nil {
		ev.CapturedAt, ev.HTTPStatus, ev.ContentType, ev.Size = resp.CapturedAt, resp.Status, resp.ContentType, int64(len(resp.Body))
		sum, perr := p.Blobs.Put(resp.Body)
		if perr != nil {
			return ev, nil, fmt.Errorf("%w: keep evidence: %v", ErrRetry, perr)
		}
		ev.SHA256 = sum
	}
	if err != nil {
		ev.Error = err.Error()
		return ev, nil, err
	}
	return ev, resp.Body, nil
}

func (p *Processor) appendCustody(ctx context.Context, listingID string, e evidence.Event) error {
	if p.Custody == nil {
		return nil
	}
	e.Actor = cmp.Or(p.Actor, "counterlens worker")
	if _, err := p.Custody.AppendCustody(ctx, listingID, e); err != nil {
		return fmt.Errorf("log %s event: %w", e.Type, err)
	}
	return nil
}

// logCaptured records one fetch, failed or not, in the custody log.
func (p *Processor) logCaptured(ctx context.Context, listingID string, ev models.Evidence) error {
	d := map[string]string{"url": ev.URL}
	if ev.SHA256 != "" {
		d["sha256"], d["size"], d["content_type"] = ev.SHA256, strconv.FormatInt(ev.Size, 10), ev.ContentType
	}
	if ev.HTTPStatus != 0 {
		d["http_status"] = strconv.Itoa(ev.HTTPStatus)
	}
	if ev.Error != "" {
		d["error"] = ev.Error
	}
	return p.appendCustody(ctx, listingID, evidence.Event{Type: evidence.EventCaptured, At: ev.CapturedAt, Details: d})
}

// logAnalysed records the verdict in the custody log.
func (p *Processor) logAnalysed(ctx context.Context, listingID string, an models.Analysis) error {
	brands := make([]string, 0, len(an.Brands))
	for _, b := range an.Brands {
		brands = append(brands, b.BrandID)
	}
	sums := make([]string, 0, len(an.Images))
	for _, im := range an.Images {
		sums = append(sums, im.SHA256)
	}
	return p.appendCustody(ctx, listingID, evidence.Event{Type: evidence.EventAnalysed, At: an.AnalyzedAt, Details: map[string]string{
		"score":   strconv.FormatFloat(an.Score, 'f', -1, 64),
		"brands":  strings.Join(brands, ","),
		"signals": strconv.Itoa(len(an.Signals)),
		"images":  strings.Join(sums, ","),
	}})
}

// isTemporary tells failures that may pass (network, 5xx, 429) from those
// that will not (blocked address, too large, 404).
func isTemporary(err error) bool {
	var se *fetch.StatusError
	switch {
	case errors.As(err, &se):
		return se.Status == 429 || se.Status >= 500
	case errors.Is(err, fetch.ErrBlockedAddress), errors.Is(err, fetch.ErrTooLarge),
		errors.Is(err, fetch.ErrScheme), errors.Is(err, fetch.ErrDisallowed):
		return false
	}
	return true
}

// mergeEvidence adds new captures to the old ones: evidence is never dropped
// by a re-crawl; the same bytes from the same URL are kept once.
func mergeEvidence(old, add []models.Evidence) []models.Evidence {
	out := append([]models.Evidence{}, old...)
	seen := map[string]bool{}
	for _, e := range old {
		seen[e.URL+"\x00"+e.SHA256] = true
	}
	for _, e := range add {
		if k := e.URL + "\x00" + e.SHA256; e.SHA256 != "" && seen[k] {
			continue
		}
		out = append(out, e)
	}
	return out
}
