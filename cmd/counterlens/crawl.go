package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"counterlens/ingest/crawl"
	"counterlens/ingest/evidence"
	"counterlens/ingest/fetch"
	"counterlens/ingest/redisq"
	"counterlens/models"
)

const crawlUsage = `usage: counterlens crawl SOURCE [--once] [flags]

Crawls SOURCE (a source id, or the name of a source of the sources file) in
the foreground and queues what it finds for the workers: once with --once,
else at the source's interval until Ctrl-C. Shows a progress bar on a
terminal, plain lines otherwise.

`

// runCrawl is "counterlens crawl".
func runCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, crawlUsage); fs.PrintDefaults() }
	once := fs.Bool("once", false, "crawl once and exit")
	// SOURCE may come first (counterlens crawl SOURCE --once) or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	cfg, err := loadConfig(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "counterlens crawl:", err)
		return 2
	}
	if rest := fs.Args(); name == "" && len(rest) == 1 {
		name = rest[0]
	} else if len(rest) > 0 || name == "" {
		fs.Usage()
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel})).With("process", "crawl")
	store, err := redisq.New(cfg.Redis)
	if err != nil {
		fmt.Fprintln(stderr, "counterlens crawl:", err)
		return 2
	}
	defer store.Close()
	// The pages the crawl fetches are evidence, as when a worker crawls.
	blobs, err := openBlobs(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "counterlens crawl:", err)
		return 2
	}
	defer blobs.Close()
	fetcher, err := fetch.New(cfg.Fetch, fetch.WithLogger(log.With("component", "fetch")),
		fetch.WithRecorder(&evidence.Capturer{Blobs: blobs, Software: "counterlens " + version}))
	if err != nil {
		fmt.Fprintln(stderr, "counterlens crawl:", err)
		return 2
	}
	defer fetcher.Close()
	if code := applySourcesFile(ctx, cfg, store, stderr); code != 0 {
		return code
	}
	src, err := findSource(ctx, store, name)
	if err != nil {
		fmt.Fprintf(stderr, "counterlens crawl: source %q: %v\n", name, err)
		return 2
	}
	pages := &pageLinker{Store: store, custody: store, actor: "counterlens crawl " + version}
	c := &crawl.Crawler{Cfg: cfg.Crawl, Store: pages, Connect: pages.crawl(connectors(fetcher, cfg.Connect)), Gone: gone(fetcher),
		Log: log.With("component", "crawl")}
	c.Actor = pages.actor
	every := cfg.Crawl.DefaultInterval
	if d, err := time.ParseDuration(src.Interval); err == nil && d > 0 {
		every = d
	}
	for {
		err := crawlOnce(ctx, c, src, stdout)
		if *once {
			if err != nil {
				fmt.Fprintln(stderr, "counterlens crawl:", err)
				return 1
			}
			return 0
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("crawl failed; trying again at the next interval", "source_id", src.ID, "err", err)
		}
		fmt.Fprintf(stdout, "next crawl of %s at %s (Ctrl-C stops)\n", label(src), time.Now().Add(every).Format(time.TimeOnly))
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(every):
		}
	}
}

// findSource finds a source by id, else by name.
func findSource(ctx context.Context, store *redisq.Store, name string) (models.Source, error) {
	src, err := store.Source(ctx, name)
	if !errors.Is(err, redisq.ErrNotFound) {
		return src, err
	}
	all, err := store.Sources(ctx)
	if err != nil {
		return models.Source{}, err
	}
	for _, s := range all {
		if s.Name != "" && strings.EqualFold(s.Name, name) {
			return store.Source(ctx, s.ID)
		}
	}
	return models.Source{}, errors.New("no source has this id or name")
}

func label(src models.Source) string {
	if src.Name != "" {
		return src.Name
	}
	return src.Type + " source " + src.ID
}

// crawlOnce crawls src once and reports it on out: a progress bar when out is
// a terminal, plain lines otherwise.
func crawlOnce(ctx context.Context, c *crawl.Crawler, src models.Source, out io.Writer) error {
	start := time.Now()
	fmt.Fprintf(out, "crawling %s (%s %s)\n", label(src), src.Type, src.URL)
	var progress crawl.ProgressFunc
	var bar *progressbar.ProgressBar
	if f, ok := out.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription("asking the platform"),
			progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish())
		progress = func(done, total int) {
			if done == 0 {
				bar.ChangeMax(total)
				bar.Describe("queueing listings")
			}
			_ = bar.Set(done)
		}
	} else {
		progress = func(done, total int) {
			if done == 0 {
				fmt.Fprintf(out, "found %d new or changed listings\n", total)
			}
		}
	}
	st, err := c.RunOnceProgress(ctx, src.ID, progress)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "crawled %s in %s: found %d, new %d, changed %d, removed %d, queued %d\n", label(src),
		time.Since(start).Round(time.Millisecond), st.Found, st.New, st.Changed, st.Removed, st.Queued)
	return nil
}
