package main

import (
	"log/slog"

	"counterlens/ingest/pipeline"
	"counterlens/ingest/redisq"
	"counterlens/vision"
)

// reusingVision analyses each picture once per reference set version and
// settings: the fingerprint covers the binary's version and every vision
// setting that changes a report (not the pool sizes).
func reusingVision(engine *vision.Engine, store *redisq.Store, cfg vision.Config, log *slog.Logger) pipeline.ReusingVision {
	cfg.Workers, cfg.OCR.Workers = 0, 0
	return pipeline.ReusingVision{Vision: engine, Results: store, Settings: pipeline.Fingerprint(version, cfg),
		Log: log.With("component", "vision")}
}
