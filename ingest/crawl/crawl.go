// Package crawl runs sources: it asks a platform connector for the listings
// that are new since the last crawl and queues each for analysis. A
// scheduler runs every source at its interval; several processes may run
// schedulers, a lock in the store keeps one crawl per source at a time.
package crawl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"counterlens/ingest/connector"
	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq"
	"counterlens/models"
)

// Store holds the sources and takes the listings.
type Store interface {
	Source(ctx context.Context, id string) (models.Source, error)
	Sources(ctx context.Context) ([]models.Source, error)
	SourceCrawled(ctx context.Context, src models.Source, state string, at time.Time) error
	SubmitListing(ctx context.Context, l models.Listing) (redisq.Submitted, error)
	LockSource(ctx context.Context, id, owner string, ttl time.Duration) (bool, func(context.Context), error)
	SourceListings(ctx context.Context, sourceID string) (map[string]string, error)
	MarkRemoved(ctx context.Context, id string, e evidence.Event) (bool, error)
	MarkPresent(ctx context.Context, id string, e evidence.Event) (bool, error)
	RecheckDue(ctx context.Context, sourceID string, n int, before time.Time) ([]models.Listing, error)
	Rechecked(ctx context.Context, sourceID, id string, at time.Time) error
	RecordCrawl(ctx context.Context, sourceID string, n redisq.CrawlCounts, at time.Time, failed bool) error
}

// ProgressFunc is told, while a crawl queues what it found, how many of the
// total listings are done.
type ProgressFunc func(done, total int)

// CrawlFunc asks the connector of src.Type for the listings newer than state
// and returns them with the new state.
type CrawlFunc func(ctx context.Context, src models.Source, state string) ([]models.Listing, string, error)

// ResultFunc is a [CrawlFunc] that returns the connector's whole
// [connector.Result], which also tells what the source holds now.
type ResultFunc func(ctx context.Context, src models.Source, state string) (connector.Result, error)

// GoneFunc tells whether a listing's page says it was removed (see
// [connector.Gone]).
type GoneFunc func(ctx context.Context, l models.Listing) (bool, error)

// Config configures the crawler.
type Config struct {
	// Timeout bounds one crawl of one source.
	Timeout time.Duration
	// Tick is how often the scheduler looks for sources that are due.
	Tick time.Duration
	// DefaultInterval applies to sources without an interval.
	DefaultInterval time.Duration
	// Recheck is how many listings of an incremental source have their
	// page checked for removal after each crawl, those checked longest ago
	// first; 0 checks none.
	Recheck int
	// RecheckAfter is how long after it was found or last checked a
	// listing's page may be checked again.
	RecheckAfter time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Timeout: 10 * time.Minute, Tick: 15 * time.Second, DefaultInterval: time.Hour, Recheck: 20,
		RecheckAfter: time.Hour}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.Timeout <= 0 || c.Tick <= 0 || c.DefaultInterval <= 0 {
		return errors.New("crawl: timeout, tick and default interval must be positive")
	}
	if c.Recheck < 0 || c.Recheck > 10_000 || c.RecheckAfter < 0 {
		return errors.New("crawl: recheck must be from 0 to 10000, recheck after not negative")
	}
	return nil
}

// ErrBusy means the source is being crawled already.
var ErrBusy = errors.New("source is being crawled")

// Stats counts what one crawl did.
type Stats struct {
	// Found is what the connector returned: new or changed on the platform
	// since the last crawl, as far as it can tell.
	Found int `json:"found"`
	// Queued is how many were queued for analysis: New plus Changed.
	Queued int `json:"queued"`
	// New were never seen before; Changed came with new content (a new
	// version); Removed are gone from the platform since.
	New     int `json:"new"`
	Changed int `json:"changed"`
	Removed int `json:"removed"`
}

// Crawler runs sources.
type Crawler struct {
	Cfg   Config
	Store Store
	Crawl CrawlFunc
	// Connect, when set, is used instead of Crawl: with it, listings gone
	// from a source that is read as a full snapshot are marked removed.
	Connect ResultFunc
	// Gone, when set, re-checks the listings of incremental sources for
	// removal (see [Config.Recheck]).
	Gone GoneFunc
	Log  *slog.Logger
	// Actor names the crawler in the custody events of the removals it
	// finds; "counterlens crawler" when empty.
	Actor string

	mu sync.Mutex
	// failed holds when a scheduled crawl of a source last failed and how
	// often in a row, so that a broken source is retried with backoff, not at
	// every tick.
	failed map[string]failure
}

type failure struct {
	at    time.Time
	count int
}

// Start crawls source id in the background and returns the run's id at once.
func (c *Crawler) Start(ctx context.Context, id string) (string, error) {
	src, err := c.Store.Source(ctx, id)
	if err != nil {
		return "", err
	}
	runID := redisq.NewID()
	ok, release, err := c.Store.LockSource(ctx, src.ID, runID, c.Cfg.Timeout)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrBusy
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.Cfg.Timeout)
		defer cancel()
		defer release(ctx)
		c.run(ctx, src, runID)
	}()
	return runID, nil
}

// RunOnce crawls a source now, in the caller's goroutine.
func (c *Crawler) RunOnce(ctx context.Context, id string) (Stats, error) {
	return c.RunOnceProgress(ctx, id, nil)
}

// RunOnceProgress is [Crawler.RunOnce] telling progress (which may be nil).
func (c *Crawler) RunOnceProgress(ctx context.Context, id string, progress ProgressFunc) (Stats, error) {
	src, err := c.Store.Source(ctx, id)
	if err != nil {
		return Stats{}, err
	}
	runID := redisq.NewID()
	ok, release, err := c.Store.LockSource(ctx, src.ID, runID, c.Cfg.Timeout)
	if err != nil {
		return Stats{}, err
	}
	if !ok {
		return Stats{}, ErrBusy
	}
	defer release(context.WithoutCancel(ctx))
	ctx, cancel := context.WithTimeout(ctx, c.Cfg.Timeout)
	defer cancel()
	return c.crawl(ctx, src, progress)
}

func (c *Crawler) run(ctx context.Context, src models.Source, runID string) {
	log := c.Log.With("source_id", src.ID, "type", src.Type, "run_id", runID)
	st, err := c.crawl(ctx, src, nil)
	if err != nil {
		log.Warn("crawl failed", "found", st.Found, "queued", st.Queued, "err", err)
		return
	}
	log.Info("crawl done", "found", st.Found, "queued", st.Queued, "new", st.New, "changed", st.Changed, "removed", st.Removed)
}

// crawl crawls src and adds the outcome to its crawl record.
func (c *Crawler) crawl(ctx context.Context, src models.Source, progress ProgressFunc) (Stats, error) {
	st, err := c.crawlSource(ctx, src, progress)
	n := redisq.CrawlCounts{Found: int64(st.Found), New: int64(st.New), Changed: int64(st.Changed), Removed: int64(st.Removed)}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if rerr := c.Store.RecordCrawl(rctx, src.ID, n, time.Now(), err != nil); rerr != nil {
		c.Log.Warn("cannot record crawl", "source_id", src.ID, "err", rerr)
	}
	return st, err
}

func (c *Crawler) crawlSource(ctx context.Context, src models.Source, progress ProgressFunc) (Stats, error) {
	var st Stats
	res, err := c.connect(ctx, src)
	if err != nil {
		return st, fmt.Errorf("crawl %s source %s: %w", src.Type, src.ID, err)
	}
	st.Found = len(res.Listings)
	if progress != nil {
		progress(0, st.Found)
	}
	for i, l := range res.Listings {
		l.Platform, l.SourceID = src.Type, src.ID
		sub, err := c.Store.SubmitListing(ctx, l)
		if err != nil {
			// The state is not advanced: the next crawl finds these again.
			return st, fmt.Errorf("queue listing %s: %w", l.ExternalID, err)
		}
		switch {
		case sub.Changed:
			st.Changed++
		case sub.Queued:
			st.New++
		}
		if sub.Queued {
			st.Queued++
		}
		if progress != nil {
			progress(i+1, st.Found)
		}
	}
	if err := c.removals(ctx, src, res.Present, &st); err != nil {
		return st, err
	}
	return st, c.Store.SourceCrawled(ctx, src, res.State, time.Now())
}

func (c *Crawler) connect(ctx context.Context, src models.Source) (connector.Result, error) {
	if c.Connect != nil {
		return c.Connect(ctx, src, src.State)
	}
	listings, state, err := c.Crawl(ctx, src, src.State)
	return connector.Result{Listings: listings, State: state}, err
}

// Schedule runs every source at its interval until ctx is done.
func (c *Crawler) Schedule(ctx context.Context) error {
	t := time.NewTicker(c.Cfg.Tick)
	defer t.Stop()
	for {
		c.runDue(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (c *Crawler) runDue(ctx context.Context) {
	srcs, err := c.Store.Sources(ctx)
	if err != nil {
		if ctx.Err() == nil {
			c.Log.Warn("cannot list sources", "err", err)
		}
		return
	}
	now := time.Now()
	for _, src := range srcs {
		every := c.Cfg.DefaultInterval
		if d, err := time.ParseDuration(src.Interval); err == nil && d > 0 {
			every = d
		}
		if now.Sub(src.LastRunAt) < every || !c.retryDue(src.ID, every, now) {
			continue
		}
		_, err := c.RunOnce(ctx, src.ID)
		switch {
		case errors.Is(err, ErrBusy):
		case err != nil:
			n := c.noteFailure(src.ID, now)
			c.Log.Warn("scheduled crawl failed", "source_id", src.ID, "failures", n, "err", err)
		default:
			c.noteFailure(src.ID, time.Time{})
		}
	}
}

// retryDue reports whether a source that failed may be tried again: after
// the tick doubled for every failure in a row, at most its interval.
func (c *Crawler) retryDue(id string, every time.Duration, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.failed[id]
	if !ok {
		return true
	}
	wait := min(every, c.Cfg.Tick<<min(f.count, 16))
	return now.Sub(f.at) >= wait
}

// noteFailure records a failure at at, or clears the record when at is zero;
// it returns the failures in a row.
func (c *Crawler) noteFailure(id string, at time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at.IsZero() {
		delete(c.failed, id)
		return 0
	}
	if c.failed == nil {
		c.failed = map[string]failure{}
	}
	f := c.failed[id]
	f.at, f.count = at, f.count+1
	c.failed[id] = f
	return f.count
}
