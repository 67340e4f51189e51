package api

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"counterlens/ingest/redisq"
)

// StatsSource reads the counters every worker process keeps in the store.
type StatsSource interface {
	Stats(ctx context.Context) (redisq.Stats, error)
}

// StatsCollector exports, at each scrape, what all workers analysed and found
// and the queue's depth: the workers are separate processes, so their counts
// live in the store, not in this process's memory.
type StatsCollector struct {
	src      StatsSource
	up       *prometheus.Desc
	analyses *prometheus.Desc
	failures *prometheus.Desc
	signals  *prometheus.Desc
	queue    *prometheus.Desc
	reuses   *prometheus.Desc
	crawl    sourceDescs
}

// NewStatsCollector returns a collector reading src.
func NewStatsCollector(src StatsSource) *StatsCollector {
	return &StatsCollector{
		src:      src,
		up:       prometheus.NewDesc("counterlens_store_up", "1 when the store answered the scrape.", nil, nil),
		analyses: prometheus.NewDesc("counterlens_analyses_total", "Listings analysed by the workers.", nil, nil),
		failures: prometheus.NewDesc("counterlens_analysis_failures_total", "Jobs dead-lettered after repeated failures.", nil, nil),
		signals:  prometheus.NewDesc("counterlens_signals_total", "Signals found in analysed listings, by type.", []string{"type"}, nil),
		queue:    prometheus.NewDesc("counterlens_queue_jobs", "Jobs in the listing queue, by state.", []string{"state"}, nil),
		reuses:   prometheus.NewDesc("counterlens_image_results_reused_total", "Pictures whose stored analysis was reused (same bytes seen before).", nil, nil),
		crawl:    newSourceDescs(),
	}
}

// Describe implements prometheus.Collector.
func (c *StatsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.analyses, c.failures, c.signals, c.queue, c.reuses} {
		ch <- d
	}
	c.crawl.describe(ch)
}

// Collect implements prometheus.Collector.
func (c *StatsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.src.Stats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.analyses, prometheus.CounterValue, float64(st.Analyses))
	ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(st.Failures))
	ch <- prometheus.MustNewConstMetric(c.reuses, prometheus.CounterValue, float64(st.ImageReuses))
	for typ, n := range st.Signals {
		ch <- prometheus.MustNewConstMetric(c.signals, prometheus.CounterValue, float64(n), string(typ))
	}
	ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(st.Queue.Waiting), "waiting")
	ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(st.Queue.Pending), "pending")
	ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(st.Queue.Dead), "dead")
	c.crawl.collect(ch, st.Sources)
}
