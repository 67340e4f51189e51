package fetch

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Version is the fetcher's version, as it appears in [DefaultUserAgent].
const Version = "0.1"

// DefaultUserAgent identifies the crawler as counterlens, a generic
// brand-protection crawler, without naming the agency that runs it. Operators
// should point the URL at a page that explains the crawler and gives a
// contact, or set [Config.UserAgent] to something else entirely.
const DefaultUserAgent = "counterlens/" + Version + " (+https://counterlens.example/bot)"

// ErrInvalidConfig is wrapped by [Config.Validate] for every bad setting.
var ErrInvalidConfig = errors.New("fetch: invalid config")

// Config tunes a [Fetcher]. Start from [DefaultConfig] and call
// [Config.Validate]; [New] validates again.
type Config struct {
	// UserAgent is sent with every request whose caller did not set one.
	// Default [DefaultUserAgent]. It must not name the agency: covert
	// monitoring relies on looking like any other crawler.
	UserAgent string
	// RobotsAgent is the token matched against robots.txt User-agent lines.
	// Empty means the product token of UserAgent (the text before the first
	// '/' or space, e.g. "counterlens").
	RobotsAgent string
	// Timeout bounds one whole exchange (connect, redirects, headers and
	// body), for each attempt. Default 20s.
	Timeout time.Duration
	// MaxBytes caps a response body; [Fetcher.Get] can override it per call.
	// Default 8 MiB.
	MaxBytes int64
	// AllowPrivate lets the fetcher reach loopback, private, link-local and
	// other non-public addresses (COUNTERLENS_ALLOW_PRIVATE_FETCH). Default
	// false: such targets fail with [ErrBlockedAddress]. Only for tests and
	// demos.
	AllowPrivate bool
	// Proxy is "" (direct), or an http://, https://, socks5:// or socks5h://
	// URL through which every request goes, so that covert monitoring does
	// not reveal the agency's address. The target host is resolved and
	// checked locally before the request is handed to the proxy.
	Proxy string
	// PerHostRPS is the request rate allowed to one host name. Default 2.
	PerHostRPS float64
	// PerHostConcurrency is the number of requests in flight to one host
	// name. Default 2.
	PerHostConcurrency int
	// Retries is how many times a request is tried again after a network
	// error, a 429 or a 5xx. Default 3. 0 disables retries.
	Retries int
	// BackoffBase and BackoffMax shape the exponential backoff with full
	// jitter between retries: the n-th retry waits a random duration in
	// [0, min(BackoffMax, BackoffBase·2^n)). Defaults 500ms and 30s.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// MaxRetryAfter caps how long a Retry-After answer is waited for. When a
	// server asks for a longer pause, the fetcher gives up at once and
	// returns the [StatusError] (with RetryAfter set) so that the caller can
	// reschedule. Default 2m.
	MaxRetryAfter time.Duration
	// MaxRedirects caps the redirects followed by one request. Default 5.
	MaxRedirects int
	// RespectRobots makes [Fetcher.Get] honour robots.txt for RobotsAgent.
	// Default true. Setting it to false is the documented switch to turn
	// robots.txt off (e.g. for a platform whose terms allow it).
	RespectRobots bool
	// RobotsTTL is how long a fetched robots.txt is cached. Default 1h.
	RobotsTTL time.Duration
	// RobotsErrorTTL is how long a host whose robots.txt answered 429 or
	// 5xx, or could not be reached, stays fully disallowed before the
	// fetcher asks again. Default 10m.
	RobotsErrorTTL time.Duration
}

// DefaultConfig returns the settings documented on [Config].
func DefaultConfig() Config {
	return Config{
		UserAgent:          DefaultUserAgent,
		Timeout:            20 * time.Second,
		MaxBytes:           8 << 20,
		PerHostRPS:         2,
		PerHostConcurrency: 2,
		Retries:            3,
		BackoffBase:        500 * time.Millisecond,
		BackoffMax:         30 * time.Second,
		MaxRetryAfter:      2 * time.Minute,
		MaxRedirects:       5,
		RespectRobots:      true,
		RobotsTTL:          time.Hour,
		RobotsErrorTTL:     10 * time.Minute,
	}
}

// maxRetries keeps a misconfiguration from hammering a host.
const maxRetries = 10

// Validate reports the first bad setting, wrapped in [ErrInvalidConfig].
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch {
	case strings.TrimSpace(c.UserAgent) == "":
		return bad("user agent is empty")
	case strings.ContainsAny(c.UserAgent, "\r\n"):
		return bad("user agent contains a line break")
	case strings.ContainsAny(c.RobotsAgent, "\r\n"):
		return bad("robots agent contains a line break")
	case c.Timeout <= 0:
		return bad("timeout %v must be positive", c.Timeout)
	case c.MaxBytes <= 0:
		return bad("max bytes %d must be positive", c.MaxBytes)
	case !(c.PerHostRPS > 0):
		return bad("per-host rate %v must be positive", c.PerHostRPS)
	case c.PerHostConcurrency < 1:
		return bad("per-host concurrency %d must be at least 1", c.PerHostConcurrency)
	case c.Retries < 0 || c.Retries > maxRetries:
		return bad("retries %d must be in [0, %d]", c.Retries, maxRetries)
	case c.BackoffBase <= 0:
		return bad("backoff base %v must be positive", c.BackoffBase)
	case c.BackoffMax < c.BackoffBase:
		return bad("backoff max %v is below backoff base %v", c.BackoffMax, c.BackoffBase)
	case c.MaxRetryAfter < 0:
		return bad("max retry-after %v is negative", c.MaxRetryAfter)
	case c.MaxRedirects < 0:
		return bad("max redirects %d is negative", c.MaxRedirects)
	case c.RespectRobots && (c.RobotsTTL <= 0 || c.RobotsErrorTTL <= 0):
		return bad("robots TTLs must be positive")
	}
	if _, err := parseProxy(c.Proxy); err != nil {
		return bad("%v", err)
	}
	return nil
}

// parseProxy returns nil for "" and the parsed URL of a supported proxy.
func parseProxy(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("proxy scheme %q is not http, https, socks5 or socks5h", u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("proxy %q has no host", u.Redacted())
	}
	return u, nil
}

// robotsAgent is the token matched against robots.txt groups.
func (c Config) robotsAgent() string {
	if c.RobotsAgent != "" {
		return c.RobotsAgent
	}
	ua := strings.TrimSpace(c.UserAgent)
	if i := strings.IndexAny(ua, "/ "); i > 0 {
		return ua[:i]
	}
	return ua
}
