// Package fetch is the polite HTTP fetcher through which every platform
// connector and every image download goes.
//
// A [Fetcher] refuses non-public targets (checked on the address actually
// dialled, so DNS rebinding and redirects are caught too), limits the rate and
// concurrency per host, retries network errors, 429 and 5xx with exponential
// backoff and full jitter (honouring Retry-After), honours robots.txt in
// [Fetcher.Get], caps body sizes while streaming, and can send everything
// through an HTTP or SOCKS5 proxy.
package fetch

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gabriel-vasile/mimetype"
)

// Response is one captured response, byte-exact.
type Response struct {
	// URL is the final URL, after redirects.
	URL    string
	Status int
	Header http.Header
	// Body is exactly as received, after the transport's transparent
	// decompression of Content-Encoding only.
	Body []byte
	// ContentType is sniffed from Body (magic numbers), not taken from the
	// header; empty for an empty body.
	ContentType string
	// SHA256 is the hex digest of Body.
	SHA256 string
	// CapturedAt is when the body was read, UTC.
	CapturedAt time.Time
	// UserAgent is the User-Agent the request was sent with.
	UserAgent string
}

// Fetcher is the polite fetcher. It is safe for concurrent use; make one per
// process and share it.
type Fetcher struct {
	cfg       Config
	log       *slog.Logger
	guard     *guard
	hosts     *hosts
	robots    *robotsCache
	transport *http.Transport
	client    *http.Client
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
	recorder  Recorder
}

// Option changes how [New] builds a [Fetcher].
type Option func(*options)

type options struct {
	log     *slog.Logger
	resolve resolveFunc
	public  func(netip.Addr) bool
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error
	dial    func(ctx context.Context, network, address string) (net.Conn, error)
	// recorder is set by WithRecorder (recorder.go).
	recorder Recorder
}

// WithLogger sets the logger for retries and robots.txt trouble. Default: none.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.log = l }
}

// New validates cfg and builds a Fetcher.
func New(cfg Config, opts ...Option) (*Fetcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := options{now: time.Now, sleep: sleepCtx}
	for _, opt := range opts {
		opt(&o)
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	proxyURL, _ := parseProxy(cfg.Proxy) // validated above

	g := newGuard(cfg.AllowPrivate, o.resolve, net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second})
	if o.public != nil {
		g.public = o.public
	}
	if o.dial != nil {
		g.dial = o.dial
	}
	tr := &http.Transport{
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   cfg.PerHostConcurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	if proxyURL == nil {
		tr.DialContext = g.dialContext
	} else {
		// Every connection goes to the operator's proxy, which may well sit
		// on a private address; the target is checked before it is handed
		// over. With AllowPrivate nothing is resolved locally, so no DNS
		// query leaves from the agency's address.
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
		tr.DialContext = d.DialContext
		tr.Proxy = func(req *http.Request) (*url.URL, error) {
			if !cfg.AllowPrivate {
				if _, err := g.lookup(req.Context(), req.URL.Hostname()); err != nil {
					return nil, err
				}
			}
			return proxyURL, nil
		}
	}

	f := &Fetcher{
		cfg:       cfg,
		log:       o.log,
		guard:     g,
		hosts:     newHosts(cfg.PerHostRPS, cfg.PerHostConcurrency, o.now),
		transport: tr,
		now:       o.now,
		sleep:     o.sleep,
		recorder:  o.recorder,
	}
	f.client = &http.Client{
		Transport:     &politeTransport{f: f, next: tr},
		Timeout:       cfg.Timeout,
		CheckRedirect: f.checkRedirect,
	}
	f.robots = newRobotsCache(f)
	return f, nil
}

// Close closes idle connections.
func (f *Fetcher) Close() { f.transport.CloseIdleConnections() }

// Get fetches rawURL with the politeness rules and returns the whole body.
// maxBytes <= 0 means [Config.MaxBytes]. A final non-2xx status is returned
// as a *[StatusError] with the Response inside, for evidence. Robots.txt is
// checked for the URL and for every redirect when [Config.RespectRobots].
func (f *Fetcher) Get(ctx context.Context, rawURL string, maxBytes int64) (*Response, error) {
	if maxBytes <= 0 {
		maxBytes = f.cfg.MaxBytes
	}
	u, err := parseTarget(rawURL)
	if err != nil {
		return nil, err
	}
	if f.cfg.RespectRobots {
		if err := f.robots.allowed(ctx, u); err != nil {
			return nil, err
		}
		ctx = context.WithValue(ctx, robotsKey{}, true)
	}
	for attempt := 0; ; attempt++ {
		resp, retryable, err := f.getOnce(ctx, u.String(), maxBytes)
		if err == nil {
			if err := f.record(ctx, resp); err != nil {
				return nil, err
			}
			return resp, nil
		}
		wait, ok := f.retryWait(ctx, attempt, retryable, err)
		if !ok {
			return nil, f.recordFinal(ctx, err)
		}
		f.log.Debug("retrying request", "url", u.Redacted(), "attempt", attempt+1, "wait", wait, "err", err)
		if err := f.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// getOnce makes one attempt; retryable says whether the error is worth
// another.
func (f *Fetcher) getOnce(ctx context.Context, rawURL string, maxBytes int64) (*Response, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.retryable(ctx, err), err
	}
	defer resp.Body.Close()
	final := resp.Request.URL.String()
	if resp.ContentLength > maxBytes {
		return nil, false, fmt.Errorf("%w: %s: Content-Length %d is over %d bytes", ErrTooLarge, final, resp.ContentLength, maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, f.retryable(ctx, err), fmt.Errorf("fetch: %s: reading body: %w", final, err)
	}
	if int64(len(body)) > maxBytes {
		return nil, false, fmt.Errorf("%w: %s: body is over %d bytes", ErrTooLarge, final, maxBytes)
	}
	sum := sha256.Sum256(body)
	r := &Response{
		URL:         final,
		Status:      resp.StatusCode,
		Header:      resp.Header,
		Body:        body,
		ContentType: sniff(body),
		SHA256:      hex.EncodeToString(sum[:]),
		CapturedAt:  f.now().UTC(),
		UserAgent:   resp.Request.Header.Get("User-Agent"),
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return r, false, nil
	}
	se := &StatusError{Status: resp.StatusCode, Response: r, RetryAfter: parseRetryAfter(resp.Header, f.now())}
	return nil, retryableStatus(resp.StatusCode), se
}

// Do runs an arbitrary request (e.g. an OAuth token POST) with the same
// address guard, body cap ([Config.MaxBytes], read errors wrap
// [ErrTooLarge]), user agent (when req sets none), proxy, redirect cap and
// per-host limits as [Fetcher.Get]; the caller must close the body, which also
// frees the host's concurrency slot. Robots.txt is not consulted: Do is for
// platform APIs, governed by their terms. GET, HEAD and OPTIONS requests
// without a body are retried like Get; others are sent once. Unlike Get, a
// non-2xx status is not an error. Do makes *Fetcher a connector's
// Doer interface{ Do(*http.Request) (*http.Response, error) }.
func (f *Fetcher) Do(req *http.Request) (*http.Response, error) {
	if _, err := parseTarget(req.URL.String()); err != nil {
		return nil, err
	}
	ctx := req.Context()
	retries := 0
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions:
		if req.Body == nil || req.Body == http.NoBody {
			retries = f.cfg.Retries
		}
	}
	for attempt := 0; ; attempt++ {
		resp, err := f.client.Do(req)
		if err != nil {
			wait, ok := f.retryWait(ctx, attempt, attempt < retries && f.retryable(ctx, err), err)
			if !ok {
				return nil, err
			}
			f.log.Debug("retrying request", "url", req.URL.Redacted(), "attempt", attempt+1, "wait", wait, "err", err)
			if err := f.sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		}
		if resp.ContentLength > f.cfg.MaxBytes {
			resp.Body.Close()
			return nil, fmt.Errorf("%w: %s: Content-Length %d is over %d bytes", ErrTooLarge, resp.Request.URL, resp.ContentLength, f.cfg.MaxBytes)
		}
		if attempt < retries && retryableStatus(resp.StatusCode) {
			se := &StatusError{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header, f.now())}
			if wait, ok := f.retryWait(ctx, attempt, true, se); ok {
				drain(resp.Body)
				f.log.Debug("retrying request", "url", req.URL.Redacted(), "attempt", attempt+1, "wait", wait, "status", resp.StatusCode)
				if err := f.sleep(ctx, wait); err != nil {
					return nil, err
				}
				continue
			}
		}
		resp.Body = &cappedBody{rc: resp.Body, left: f.cfg.MaxBytes, max: f.cfg.MaxBytes}
		f.recordBody(req, resp)
		return resp, nil
	}
}

// retryWait decides whether attempt (0-based) failing with err is tried again,
// and after how long.
func (f *Fetcher) retryWait(ctx context.Context, attempt int, retryable bool, err error) (time.Duration, bool) {
	if !retryable || attempt >= f.cfg.Retries || ctx.Err() != nil {
		return 0, false
	}
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		if se.RetryAfter > f.cfg.MaxRetryAfter {
			return 0, false // the caller reschedules; see StatusError.RetryAfter
		}
		return se.RetryAfter, true
	}
	return f.backoff(attempt), true
}

// backoff is exponential backoff with full jitter: a random duration in
// [0, min(BackoffMax, BackoffBase·2^attempt)).
func (f *Fetcher) backoff(attempt int) time.Duration {
	ceiling := f.cfg.BackoffMax
	if attempt < 32 {
		if d := f.cfg.BackoffBase << attempt; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return rand.N(ceiling)
}

// retryable says whether a transport error may go away on a second try.
func (f *Fetcher) retryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	for _, permanent := range []error{ErrBlockedAddress, ErrTooLarge, ErrDisallowed, ErrScheme, ErrTooManyRedirects, context.Canceled} {
		if errors.Is(err, permanent) {
			return false
		}
	}
	var (
		dnsErr   *net.DNSError
		verifErr *tls.CertificateVerificationError
		hostErr  x509.HostnameError
		authErr  x509.UnknownAuthorityError
		certErr  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound,
		errors.As(err, &verifErr), errors.As(err, &hostErr),
		errors.As(err, &authErr), errors.As(err, &certErr):
		return false
	}
	return true
}

func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date; 0 when
// absent, malformed or in the past.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		if s > int64(24*time.Hour/time.Second) {
			s = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// checkRedirect caps redirects, keeps them to http(s) and, inside Get,
// checks robots.txt for each new URL. The address guard runs again when the
// redirect is dialled.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.cfg.MaxRedirects {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, f.cfg.MaxRedirects)
	}
	if _, err := parseTarget(req.URL.String()); err != nil {
		return err
	}
	if check, _ := req.Context().Value(robotsKey{}).(bool); check {
		return f.robots.allowed(req.Context(), req.URL)
	}
	return nil
}

// robotsKey marks a context whose redirects must pass robots.txt.
type robotsKey struct{}

// parseTarget parses an absolute http(s) URL with a host.
func parseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q", ErrScheme, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("fetch: %s: no host", u.Redacted())
	}
	return u, nil
}

// sniff names the type of body from its bytes.
func sniff(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	return mimetype.Detect(body).String()
}

func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	_ = rc.Close()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// politeTransport applies the per-host limits and the user agent to every
// request the client sends, redirects and robots.txt included.
type politeTransport struct {
	f    *Fetcher
	next http.RoundTripper
}

func (t *politeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f := t.f
	h := f.hosts.get(req.URL.Hostname())
	if err := h.acquire(req.Context(), f.now, f.sleep); err != nil {
		f.hosts.put(h)
		return nil, fmt.Errorf("fetch: waiting for %s: %w", req.URL.Hostname(), err)
	}
	var once sync.Once
	release := func() { once.Do(func() { h.release(); f.hosts.put(h) }) }
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context()) // a RoundTripper must not modify the request
		req.Header.Set("User-Agent", f.cfg.UserAgent)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if d := min(parseRetryAfter(resp.Header, f.now()), f.cfg.MaxRetryAfter); d > 0 {
			h.pause(f.now().Add(d)) // every request to this host waits, not just ours
		}
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// releaseBody frees the host slot when the body is closed or read to the end.
type releaseBody struct {
	io.ReadCloser
	release func()
}

func (b *releaseBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.release()
	}
	return n, err
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// cappedBody fails with ErrTooLarge once more than max bytes were read.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
	max  int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var probe [1]byte
		n, err := b.rc.Read(probe[:])
		if n > 0 {
			return 0, fmt.Errorf("%w: body is over %d bytes", ErrTooLarge, b.max)
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }
