package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
	"golang.org/x/sync/singleflight"
)

const (
	// robotsMaxBytes is Google's limit: content after 500 KiB is ignored.
	robotsMaxBytes = 500 << 10
	// maxCrawlDelay caps a robots.txt Crawl-delay we slow down to.
	maxCrawlDelay = time.Minute
	// robotsToSweep is the cache size above which expired entries are dropped.
	robotsToSweep = 4096
)

// Canned answers for the status codes that carry no rules.
var (
	robotsAllowAll, _    = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
	robotsDisallowAll, _ = robotstxt.FromStatusAndBytes(http.StatusServiceUnavailable, nil)
)

type robotsEntry struct {
	data    *robotstxt.RobotsData
	reason  string // why everything is disallowed, when it is for an error
	expires time.Time
}

// robotsCache fetches robots.txt once per origin (scheme, host, port) and
// keeps it for [Config.RobotsTTL], or [Config.RobotsErrorTTL] after an error.
type robotsCache struct {
	f     *Fetcher
	agent string

	mu    sync.Mutex
	m     map[string]*robotsEntry
	group singleflight.Group
}

func newRobotsCache(f *Fetcher) *robotsCache {
	return &robotsCache{f: f, agent: f.cfg.robotsAgent(), m: make(map[string]*robotsEntry)}
}

// allowed returns nil when robots.txt lets our agent fetch u, and an error
// wrapping [ErrDisallowed] when not.
func (rc *robotsCache) allowed(ctx context.Context, u *url.URL) error {
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	e, err := rc.entry(ctx, origin)
	if err != nil {
		return err
	}
	if e.data.TestAgent(u.RequestURI(), rc.agent) {
		return nil
	}
	if e.reason != "" {
		return fmt.Errorf("%w: %s (%s)", ErrDisallowed, u.Redacted(), e.reason)
	}
	return fmt.Errorf("%w: %s", ErrDisallowed, u.Redacted())
}

func (rc *robotsCache) entry(ctx context.Context, origin string) (*robotsEntry, error) {
	rc.mu.Lock()
	e, ok := rc.m[origin]
	rc.mu.Unlock()
	if ok && rc.f.now().Before(e.expires) {
		return e, nil
	}
	// The load outlives a caller that gives up, so the next one finds it
	// cached; it keeps the caller's values but not its cancellation.
	ch := rc.group.DoChan(origin, func() (any, error) {
		// Redirects of robots.txt itself are not checked against robots.txt
		// (which would wait on this very load).
		return rc.load(context.WithValue(context.WithoutCancel(ctx), robotsKey{}, false), origin)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*robotsEntry), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// load fetches origin's robots.txt and caches the result. Only errors that
// say nothing about the site (a blocked address) are returned uncached.
func (rc *robotsCache) load(ctx context.Context, origin string) (*robotsEntry, error) {
	ctx, cancel := context.WithTimeout(ctx, rc.f.cfg.Timeout)
	defer cancel()
	robotsURL := origin + "/robots.txt"
	e, err := rc.fetch(ctx, robotsURL)
	if err != nil {
		return nil, err
	}
	if e.reason != "" {
		rc.f.log.Warn("cannot read robots.txt, disallowing the site for now", "url", robotsURL, "reason", e.reason, "retry_in", rc.f.cfg.RobotsErrorTTL)
	}
	if g := e.data.FindGroup(rc.agent); g.CrawlDelay > 0 {
		h := rc.f.hosts.get(hostOf(origin))
		h.slowDown(min(g.CrawlDelay, maxCrawlDelay))
		rc.f.hosts.put(h)
	}
	rc.mu.Lock()
	if len(rc.m) >= robotsToSweep {
		now := rc.f.now()
		for k, old := range rc.m {
			if !now.Before(old.expires) {
				delete(rc.m, k)
			}
		}
	}
	rc.m[origin] = e
	rc.mu.Unlock()
	return e, nil
}

// fetch maps the answer for robotsURL to rules as Google documents: 2xx is
// parsed, 4xx (but 429) allows all, 429, 5xx and an unreachable site
// disallow all for a while, and a redirect chain too long to follow is taken
// as a 404.
func (rc *robotsCache) fetch(ctx context.Context, robotsURL string) (*robotsEntry, error) {
	f := rc.f
	ok := func(d *robotstxt.RobotsData) *robotsEntry {
		return &robotsEntry{data: d, expires: f.now().Add(f.cfg.RobotsTTL)}
	}
	failed := func(reason string) *robotsEntry {
		return &robotsEntry{data: robotsDisallowAll, reason: reason, expires: f.now().Add(f.cfg.RobotsErrorTTL)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, robotsURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	resp, err := f.client.Do(req)
	switch {
	case errors.Is(err, ErrBlockedAddress), errors.Is(err, ErrScheme):
		return nil, err
	case errors.Is(err, ErrTooManyRedirects):
		return ok(robotsAllowAll), nil
	case err != nil:
		return failed("robots.txt unreachable: " + err.Error()), nil
	}
	defer resp.Body.Close()
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		body, err := io.ReadAll(io.LimitReader(resp.Body, robotsMaxBytes))
		if err != nil {
			return failed("reading robots.txt: " + err.Error()), nil
		}
		d, err := robotstxt.FromBytes(body)
		if err != nil || d == nil {
			// Google ignores lines it cannot parse; a file that cannot be
			// parsed at all holds no rule we could honour.
			return ok(robotsAllowAll), nil
		}
		return ok(d), nil
	case s == http.StatusTooManyRequests || s >= 500:
		return failed(fmt.Sprintf("robots.txt answered %d", s)), nil
	default:
		return ok(robotsAllowAll), nil
	}
}

// hostOf returns the host name of an origin URL.
func hostOf(origin string) string {
	u, err := url.Parse(origin)
	if err != nil {
		return origin
	}
	return u.Hostname()
}
