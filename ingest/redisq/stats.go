package redisq

import (
	"context"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

// keyStats counts, across every worker process, what was analysed and found:
// "analyses", "failures" and "signals:<type>". The counters are bumped in the
// same transaction that stores the result, so they count each listing once.
const keyStats = prefix + "stats"

// Stats are the counters of [keyStats] and the queue's depth.
type Stats struct {
	Analyses int64
	Failures int64
	// ImageReuses counts pictures whose stored analysis was reused.
	ImageReuses int64
	// Signals counts signals found, by type.
	Signals map[models.SignalType]int64
	Queue   QueueStats
	// Sources is the crawl record of every source.
	Sources []SourceCrawlStats
}

func countAnalysis(ctx context.Context, p redis.Pipeliner, a *models.Analysis) {
	p.HIncrBy(ctx, keyStats, "analyses", 1)
	for _, s := range a.Signals {
		p.HIncrBy(ctx, keyStats, "signals:"+string(s.Type), 1)
	}
}

// Stats reads the counters.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Signals: map[models.SignalType]int64{}}
	m, err := s.rdb.HGetAll(ctx, keyStats).Result()
	if err != nil {
		return st, wrap(err)
	}
	for k, v := range m {
		n, _ := strconv.ParseInt(v, 10, 64)
		switch {
		case k == "analyses":
			st.Analyses = n
		case k == "failures":
			st.Failures = n
		case k == "image_reuses":
			st.ImageReuses = n
		case strings.HasPrefix(k, "signals:"):
			st.Signals[models.SignalType(strings.TrimPrefix(k, "signals:"))] = n
		}
	}
	if st.Queue, err = s.QueueStats(ctx); err != nil {
		return st, err
	}
	st.Sources, err = s.CrawlStats(ctx)
	return st, err
}
