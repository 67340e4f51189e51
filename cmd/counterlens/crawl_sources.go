package main

import (
	"context"
	"io"

	"counterlens/ingest/redisq"
)

// applySourcesFile upserts the sources of the sources file; 0 when done or
// when there is none.
func applySourcesFile(ctx context.Context, cfg config, store *redisq.Store, stderr io.Writer) int {
	return 0
}
