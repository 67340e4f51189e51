// Package worker consumes the listing queue: several goroutines, and several
// processes, share the jobs; none is lost when a worker dies or stops.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"counterlens/ingest/pipeline"
	"counterlens/ingest/redisq"
	"counterlens/models"
)

// Queue is the job stream and the listing store.
type Queue interface {
	Claim(ctx context.Context, consumer string, block time.Duration) (*redisq.Delivery, error)
	Listing(ctx context.Context, id string) (models.Listing, error)
	FinishListing(ctx context.Context, l models.Listing, d *redisq.Delivery) error
	Requeue(ctx context.Context, d *redisq.Delivery) error
	Ack(ctx context.Context, d *redisq.Delivery) error
	DeadLetter(ctx context.Context, d *redisq.Delivery, l models.Listing, reason string) error
	MaxAttempts() int64
	// Extend renews the lease of a job this consumer is still working on.
	Extend(ctx context.Context, consumer string, d *redisq.Delivery) error
	// Visibility is how long a lease lasts without renewal.
	Visibility() time.Duration
}

// Processor runs the listing path for one listing.
type Processor interface {
	Process(ctx context.Context, l models.Listing) (models.Listing, error)
}

// Config configures a worker.
type Config struct {
	// Name identifies this process in the consumer group.
	Name string
	// Concurrency is how many jobs run at once.
	Concurrency int
	// JobTimeout bounds one job.
	JobTimeout time.Duration
	// ShutdownTimeout is how long in-flight jobs may run on after a stop
	// signal before they are handed back to the queue.
	ShutdownTimeout time.Duration
	// Block is how long one claim waits for a job.
	Block time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	host, _ := os.Hostname()
	return Config{
		Name:            fmt.Sprintf("%s-%d", host, os.Getpid()),
		Concurrency:     2,
		JobTimeout:      90 * time.Second,
		ShutdownTimeout: 20 * time.Second,
		Block:           2 * time.Second,
	}
}

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.Name == "" || c.Concurrency < 1 || c.JobTimeout <= 0 || c.ShutdownTimeout < 0 || c.Block <= 0 {
		return errors.New("worker: name, concurrency, job timeout and block must be set")
	}
	return nil
}

// Worker runs jobs from the queue.
type Worker struct {
	cfg  Config
	q    Queue
	proc Processor
	log  *slog.Logger
}

// New builds a worker.
func New(cfg Config, q Queue, proc Processor, log *slog.Logger) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Worker{cfg: cfg, q: q, proc: proc, log: log}, nil
}

// Run processes jobs until ctx is done, then lets in-flight jobs finish for
// up to ShutdownTimeout and hands back those that did not.
func (w *Worker) Run(ctx context.Context) error {
	// Jobs run on a context that outlives ctx by ShutdownTimeout.
	jobBase, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	go func() {
		<-ctx.Done()
		t := time.NewTimer(w.cfg.ShutdownTimeout)
		defer t.Stop()
		select {
		case <-t.C:
			cancelJobs()
		case <-jobBase.Done():
		}
	}()
	var wg sync.WaitGroup
	for i := range w.cfg.Concurrency {
		consumer := fmt.Sprintf("%s/%d", w.cfg.Name, i)
		wg.Go(func() { w.loop(ctx, jobBase, consumer) })
	}
	wg.Wait()
	w.log.Info("worker stopped")
	return nil
}

func (w *Worker) loop(ctx, jobBase context.Context, consumer string) {
	backoff := time.Second
	for ctx.Err() == nil {
		d, err := w.q.Claim(ctx, consumer, w.cfg.Block)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.log.Warn("cannot claim job", "consumer", consumer, "err", err)
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return
			}
			backoff = min(2*backoff, 30*time.Second)
			continue
		}
		backoff = time.Second
		if d == nil {
			continue
		}
		w.handle(jobBase, consumer, d)
	}
}

// handle runs one job and settles it: finished, retried later, handed
// back, or dead-lettered.
func (w *Worker) handle(base context.Context, consumer string, d *redisq.Delivery) {
	log := w.log.With("job_id", d.Job.ID, "listing_id", d.Job.ListingID, "delivery", d.Deliveries)
	ctx, cancel := context.WithTimeout(base, w.cfg.JobTimeout)
	defer cancel()
	stopLease := w.keepLease(ctx, cancel, consumer, d, log)
	start := time.Now()
	l, err := w.run(ctx, d)
	if lost := stopLease(); lost {
		log.Warn("job lease lost to another worker; it finishes the job", "err", err)
		return
	}
	settle, cancelSettle := context.WithTimeout(context.WithoutCancel(base), 10*time.Second)
	defer cancelSettle()
	switch {
	case err == nil:
		err := w.q.FinishListing(settle, l, d)
		if errors.Is(err, redisq.ErrJobGone) {
			log.Warn("job was finished by another worker; result dropped")
			return
		}
		if err != nil {
			log.Error("cannot store result; the job will be retried", "err", err)
			return
		}
		score := 0.0
		if l.Analysis != nil {
			score = l.Analysis.Score
		}
		log.Info("listing analysed", "score", score, "duration", time.Since(start))
	case errors.Is(err, redisq.ErrNotFound):
		log.Warn("job for a listing that no longer exists", "err", err)
		if err := w.q.Ack(settle, d); err != nil {
			log.Error("cannot drop job", "err", err)
		}
	case base.Err() != nil:
		// Shutting down: give the job back so another worker takes it now.
		if err := w.q.Requeue(settle, d); err != nil {
			log.Error("cannot hand back job; it returns after the visibility timeout", "err", err)
			return
		}
		log.Info("job handed back at shutdown")
	case d.Deliveries >= w.q.MaxAttempts():
		if err := w.q.DeadLetter(settle, d, l, err.Error()); err != nil {
			log.Error("cannot dead-letter job", "err", err)
			return
		}
		log.Error("job failed for good", "err", err)
	default:
		// Left pending: another claim takes it after the visibility timeout.
		log.Warn("job failed; will retry", "err", err)
	}
}

// keepLease renews the job's lease at a third of the visibility timeout while
// it runs, so that no other worker claims a job whose worker is alive, however
// long it takes. A lease that was lost (this worker stalled past the timeout
// and another took the job over) cancels the job: the other one finishes it.
// The returned func stops the renewals, waits for the last one, and reports
// whether the lease was lost.
func (w *Worker) keepLease(ctx context.Context, cancel context.CancelFunc, consumer string, d *redisq.Delivery, log *slog.Logger) func() bool {
	every := w.q.Visibility() / 3
	done := make(chan struct{})
	stopped := make(chan struct{})
	lost := false
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := w.q.Extend(ctx, consumer, d)
			switch {
			case errors.Is(err, redisq.ErrJobGone):
				lost = true
				cancel()
				return
			case err != nil && ctx.Err() == nil:
				log.Warn("cannot renew job lease", "err", err)
			}
		}
	}()
	return func() bool { close(done); <-stopped; return lost }
}

func (w *Worker) run(ctx context.Context, d *redisq.Delivery) (l models.Listing, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	l, err = w.q.Listing(ctx, d.Job.ListingID)
	if err != nil {
		return l, err
	}
	return w.proc.Process(ctx, l)
}

var _ Processor = (*pipeline.Processor)(nil)
