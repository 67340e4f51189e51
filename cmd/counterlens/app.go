package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"counterlens/api"
	"counterlens/ingest/alert"
	"counterlens/ingest/crawl"
	"counterlens/ingest/evidence"
	"counterlens/ingest/fetch"
	"counterlens/ingest/network"
	"counterlens/ingest/pipeline"
	"counterlens/ingest/redisq"
	"counterlens/ingest/score"
	"counterlens/ingest/worker"
	"counterlens/vision"
)

// parts are the constructed components shared by serve and worker.
type parts struct {
	cfg      config
	log      *slog.Logger
	store    *redisq.Store
	engine   *vision.Engine
	fetcher  *fetch.Fetcher
	analyzer *pipeline.Analyzer
	crawler  *crawl.Crawler
	blobs    *evidence.Blobs
}

func setup(name string, args []string, stderr io.Writer) (*parts, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel})).With("process", name)
	p := &parts{cfg: cfg, log: log}
	if p.store, err = redisq.New(cfg.Redis); err != nil {
		return nil, err
	}
	if p.blobs, err = openBlobs(cfg); err != nil {
		p.close()
		return nil, err
	}
	if cfg.OpenCVThreads > 0 {
		vision.SetOpenCVThreads(cfg.OpenCVThreads)
	}
	if p.engine, err = vision.New(cfg.Vision, p.store, log.With("component", "vision")); err != nil {
		p.close()
		return nil, err
	}
	if p.fetcher, err = fetch.New(cfg.Fetch, fetch.WithLogger(log.With("component", "fetch")),
		fetch.WithRecorder(&evidence.Capturer{Blobs: p.blobs, Software: "counterlens " + version})); err != nil {
		p.close()
		return nil, err
	}
	p.analyzer = &pipeline.Analyzer{Vision: reusingVision(p.engine, p.store, cfg.Vision, log), Weights: score.DefaultWeights(), Region: cfg.Region, Photos: p.store}
	p.analyzer.Negatives = p.store
	p.analyzer.Feedback = p.store
	pages := &pageLinker{Store: p.store, custody: p.store, actor: "counterlens crawler " + version}
	p.crawler = &crawl.Crawler{Cfg: cfg.Crawl, Store: pages, Connect: pages.crawl(connectors(p.fetcher, cfg.Connect)),
		Gone: gone(p.fetcher), Log: log.With("component", "crawl")}
	p.crawler.Actor = pages.actor
	return p, nil
}

func (p *parts) close() {
	if p.fetcher != nil {
		p.fetcher.Close()
	}
	if p.engine != nil {
		_ = p.engine.Close()
	}
	if p.store != nil {
		_ = p.store.Close()
	}
	if p.blobs != nil {
		_ = p.blobs.Close()
	}
}

// serve runs the API until ctx is done.
func serve(ctx context.Context, args []string, _, stderr io.Writer) int {
	p, err := setup("serve", args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "counterlens serve:", err)
		return 2
	}
	defer p.close()
	if code := applySourcesFile(ctx, p.cfg, p.store, stderr); code != 0 {
		return code
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		api.NewStatsCollector(p.store))
	blobs := p.blobs
	ev, err := p.evidence(blobs)
	if err != nil {
		p.log.Error("cannot load the evidence signing key", "err", err)
		return 1
	}
	srv := &api.Server{
		Evidence: ev, Cfg: p.cfg.API, Keys: p.store, Brands: p.store, Listings: p.store, Sources: p.store,
		Crawler: p.crawler, Analyzer: p.analyzer, Health: p.store, Registry: reg,
		Log: p.log.With("component", "api"), Connectors: connectorTypes(), Blobs: blobs,
	}
	srv.Reviews = &pipeline.Reviews{Store: p.store, Analyzer: p.analyzer, Max: p.cfg.Network.MaxRescore, Log: p.log.With("component", "review")}
	srv.Webhooks = p.store
	srv.Networks = p.store
	srv.Limiter, srv.Audit, srv.Photos = p.store, p.store, p.store
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	ln, err := net.Listen("tcp", p.cfg.Addr)
	if err != nil {
		p.log.Error("cannot listen", "addr", p.cfg.Addr, "err", err)
		return 1
	}
	p.log.Info("serving", "addr", ln.Addr().String(), "version", version)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return hs.Shutdown(sctx)
	})
	if err := g.Wait(); err != nil {
		p.log.Error("server stopped", "err", err)
		return 1
	}
	p.log.Info("server stopped")
	return 0
}

// runWorker consumes the queue and runs scheduled crawls until ctx is done.
func runWorker(ctx context.Context, args []string, _, stderr io.Writer) int {
	p, err := setup("worker", args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "counterlens worker:", err)
		return 2
	}
	defer p.close()
	if code := applySourcesFile(ctx, p.cfg, p.store, stderr); code != 0 {
		return code
	}
	proc := &pipeline.Processor{Cfg: p.cfg.Pipeline, Fetcher: pipeline.LocalFiles{Root: p.cfg.Connect.LocalRoot, Next: p.fetcher}, Blobs: p.blobs, Analyzer: p.analyzer,
		Log: p.log.With("component", "pipeline"), Custody: p.store, Actor: "counterlens worker " + version}
	proc.Networks = &network.Linker{Store: p.store, Cfg: p.cfg.Network, Weights: p.analyzer.Weights, Log: p.log.With("component", "network")}
	w, err := worker.New(p.cfg.Worker, p.store, proc, p.log.With("component", "worker"))
	if err != nil {
		fmt.Fprintln(stderr, "counterlens worker:", err)
		return 2
	}
	alerts, err := alert.New(p.cfg.Alert, p.store, p.fetcher, p.log.With("component", "alert"))
	if err != nil {
		fmt.Fprintln(stderr, "counterlens worker:", err)
		return 2
	}
	p.log.Info("worker started", "name", p.cfg.Worker.Name, "concurrency", p.cfg.Worker.Concurrency, "version", version)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return w.Run(gctx) })
	g.Go(func() error { return p.crawler.Schedule(gctx) })
	g.Go(func() error { return alerts.Run(gctx) })
	retro := &pipeline.Retro{Cfg: p.cfg.Retro, Store: p.store, Blobs: p.blobs, Logos: p.engine, Analyzer: p.analyzer, Log: p.log.With("component", "retro")}
	g.Go(func() error { return retro.Run(gctx) })
	if err := g.Wait(); err != nil {
		p.log.Error("worker stopped", "err", err)
		return 1
	}
	return 0
}
