package fetch

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// hostIdle is how long an idle host's state is kept once many hosts are known.
const (
	hostIdle     = 10 * time.Minute
	hostsToSweep = 1024
)

// host is the politeness state of one host name: a rate limiter, a semaphore
// for requests in flight, and a pause a server asked for with Retry-After.
type host struct {
	limiter *rate.Limiter
	slots   chan struct{}

	mu         sync.Mutex
	pauseUntil time.Time
	users      int // callers between get and put, so the sweep spares them
	lastUsed   time.Time
}

// hosts holds the per-host state, created on first use.
type hosts struct {
	rps         float64
	concurrency int
	now         func() time.Time

	mu sync.Mutex
	m  map[string]*host
}

func newHosts(rps float64, concurrency int, now func() time.Time) *hosts {
	return &hosts{rps: rps, concurrency: concurrency, now: now, m: make(map[string]*host)}
}

// get returns name's state; the caller must call put when done with it.
func (hs *hosts) get(name string) *host {
	name = strings.ToLower(name)
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h, ok := hs.m[name]
	if !ok {
		if len(hs.m) >= hostsToSweep {
			hs.sweepLocked()
		}
		h = &host{
			limiter: rate.NewLimiter(rate.Limit(hs.rps), 1),
			slots:   make(chan struct{}, hs.concurrency),
		}
		hs.m[name] = h
	}
	h.mu.Lock()
	h.users++
	h.mu.Unlock()
	return h
}

// put releases a state returned by get.
func (hs *hosts) put(h *host) {
	h.mu.Lock()
	h.users--
	h.lastUsed = hs.now()
	h.mu.Unlock()
}

// sweepLocked forgets hosts idle for hostIdle, so a long crawl over many
// hosts does not grow the map without bound.
func (hs *hosts) sweepLocked() {
	cutoff := hs.now().Add(-hostIdle)
	for name, h := range hs.m {
		h.mu.Lock()
		idle := h.users == 0 && h.lastUsed.Before(cutoff)
		h.mu.Unlock()
		if idle {
			delete(hs.m, name)
		}
	}
}

// pause asks every request to h to wait until t.
func (h *host) pause(t time.Time) {
	h.mu.Lock()
	if t.After(h.pauseUntil) {
		h.pauseUntil = t
	}
	h.mu.Unlock()
}

// slowDown lowers h's rate to one request per every, if that is slower than
// the current rate (robots.txt Crawl-delay).
func (h *host) slowDown(every time.Duration) {
	if every <= 0 {
		return
	}
	if l := rate.Every(every); l < h.limiter.Limit() {
		h.limiter.SetLimit(l)
	}
}

// acquire waits for a slot, any pause, and the rate limiter, in that order,
// so that a request waiting for a slot does not burn a rate token.
func (h *host) acquire(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	h.mu.Lock()
	wait := h.pauseUntil.Sub(now())
	h.mu.Unlock()
	if wait > 0 {
		if err := sleep(ctx, wait); err != nil {
			<-h.slots
			return err
		}
	}
	if err := h.limiter.Wait(ctx); err != nil {
		<-h.slots
		if ctx.Err() == nil {
			// The limiter refuses early when the deadline would pass first.
			return fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
		}
		return ctx.Err()
	}
	return nil
}

// release frees the slot taken by acquire.
func (h *host) release() { <-h.slots }
