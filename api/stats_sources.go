package api

import (
	"github.com/prometheus/client_golang/prometheus"

	"counterlens/ingest/redisq"
)

// sourceDescs export the crawl record of every source, kept in the store by
// whichever process crawled it.
type sourceDescs struct {
	lastSuccess *prometheus.Desc
	failures    *prometheus.Desc
	listings    *prometheus.Desc
}

func newSourceDescs() sourceDescs {
	labels := []string{"source_id", "name", "type"}
	return sourceDescs{
		lastSuccess: prometheus.NewDesc("counterlens_source_last_success_timestamp_seconds",
			"When the last successful crawl of the source ended (Unix time); 0 if none did.", labels, nil),
		failures: prometheus.NewDesc("counterlens_source_consecutive_failures",
			"Crawls of the source that failed since its last success.", labels, nil),
		listings: prometheus.NewDesc("counterlens_source_listings_total",
			"Listings the crawls of the source found, by outcome: found (returned by the platform), new, changed (a new version), removed.",
			append(labels, "outcome"), nil),
	}
}

func (d sourceDescs) describe(ch chan<- *prometheus.Desc) {
	ch <- d.lastSuccess
	ch <- d.failures
	ch <- d.listings
}

func (d sourceDescs) collect(ch chan<- prometheus.Metric, sources []redisq.SourceCrawlStats) {
	for _, s := range sources {
		labels := []string{s.SourceID, s.Name, s.Type}
		last := 0.0
		if !s.LastSuccess.IsZero() {
			last = float64(s.LastSuccess.Unix())
		}
		ch <- prometheus.MustNewConstMetric(d.lastSuccess, prometheus.GaugeValue, last, labels...)
		ch <- prometheus.MustNewConstMetric(d.failures, prometheus.GaugeValue, float64(s.Failures), labels...)
		for _, o := range []struct {
			name string
			n    int64
		}{{"found", s.Totals.Found}, {"new", s.Totals.New}, {"changed", s.Totals.Changed}, {"removed", s.Totals.Removed}} {
			ch <- prometheus.MustNewConstMetric(d.listings, prometheus.CounterValue, float64(o.n), append(labels, o.name)...)
		}
	}
}
