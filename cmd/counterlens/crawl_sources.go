package main

import (
	"context"
	"fmt"
	"io"

	"counterlens/ingest/crawl"
	"counterlens/ingest/redisq"
)

// applySourcesFile upserts, by name, the sources of COUNTERLENS_SOURCES_FILE
// when it is set. It returns the exit code of a failure (2 for a bad file,
// 1 when the store fails), 0 when done.
func applySourcesFile(ctx context.Context, cfg config, store *redisq.Store, stderr io.Writer) int {
	if cfg.SourcesFile == "" {
		return 0
	}
	srcs, err := crawl.LoadSources(cfg.SourcesFile, connectorTypes())
	if err != nil {
		fmt.Fprintln(stderr, "counterlens:", err)
		return 2
	}
	if _, err := crawl.UpsertSources(ctx, store, srcs); err != nil {
		fmt.Fprintln(stderr, "counterlens: sources file:", err)
		return 1
	}
	return 0
}
