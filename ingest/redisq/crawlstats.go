package redisq

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// keyCrawlStats holds what the crawls of one source did, across every
// process that crawls it (serve, workers, counterlens crawl), for /metrics:
//
//	cl:crawlstats:<source id>  hash  last_success, last_failure (unix seconds),
//	                                 failures (in a row), found, new, changed, removed (totals)
func keyCrawlStats(sourceID string) string { return prefix + "crawlstats:" + sourceID }

// CrawlCounts are the listings one crawl found, and of those how many were
// new, changed, or gone.
type CrawlCounts struct {
	Found, New, Changed, Removed int64
}

// SourceCrawlStats is the crawl record of one source.
type SourceCrawlStats struct {
	SourceID, Name, Type string
	// LastSuccess is the end of the last crawl that succeeded; zero if none.
	LastSuccess time.Time
	// Failures counts the crawls that failed since the last success.
	Failures int64
	// Totals adds up the counts of every crawl.
	Totals CrawlCounts
}

// RecordCrawl adds one crawl of a source to its record: its counts (a
// failed crawl may have queued some listings before it failed), and the time
// when it succeeded, or one more failure in a row.
func (s *Store) RecordCrawl(ctx context.Context, sourceID string, n CrawlCounts, at time.Time, failed bool) error {
	key := keyCrawlStats(sourceID)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if failed {
			p.HIncrBy(ctx, key, "failures", 1)
			p.HSet(ctx, key, "last_failure", at.Unix())
		} else {
			p.HSet(ctx, key, "last_success", at.Unix(), "failures", 0)
		}
		p.HIncrBy(ctx, key, "found", n.Found)
		p.HIncrBy(ctx, key, "new", n.New)
		p.HIncrBy(ctx, key, "changed", n.Changed)
		p.HIncrBy(ctx, key, "removed", n.Removed)
		return nil
	})
	return wrap(err)
}

// CrawlStats returns the crawl record of every source, oldest source first.
func (s *Store) CrawlStats(ctx context.Context) ([]SourceCrawlStats, error) {
	srcs, err := s.Sources(ctx)
	if err != nil {
		return nil, err
	}
	cmds := make([]*redis.MapStringStringCmd, len(srcs))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, src := range srcs {
			cmds[i] = p.HGetAll(ctx, keyCrawlStats(src.ID))
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]SourceCrawlStats, len(srcs))
	for i, src := range srcs {
		m := cmds[i].Val()
		num := func(f string) int64 { n, _ := strconv.ParseInt(m[f], 10, 64); return n }
		out[i] = SourceCrawlStats{SourceID: src.ID, Name: src.Name, Type: src.Type, Failures: num("failures"),
			Totals: CrawlCounts{Found: num("found"), New: num("new"), Changed: num("changed"), Removed: num("removed")}}
		if t := num("last_success"); t > 0 {
			out[i].LastSuccess = time.Unix(t, 0).UTC()
		}
	}
	return out, nil
}
