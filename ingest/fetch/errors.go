package fetch

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every error the fetcher returns for these cases wraps one
// of them, so callers test with [errors.Is].
var (
	// ErrBlockedAddress: the target resolves to a loopback, private,
	// link-local, unspecified, multicast or otherwise non-public address and
	// [Config.AllowPrivate] is false (server-side request forgery guard).
	ErrBlockedAddress = errors.New("fetch: blocked address")
	// ErrTooLarge: the body is over the cap, by Content-Length or by count.
	ErrTooLarge = errors.New("fetch: body too large")
	// ErrDisallowed: robots.txt disallows the URL for our agent, or could not
	// be read because the site answered 429/5xx or was unreachable.
	ErrDisallowed = errors.New("fetch: disallowed by robots.txt")
	// ErrScheme: the URL (or a redirect) is not http or https.
	ErrScheme = errors.New("fetch: unsupported URL scheme")
	// ErrTooManyRedirects: more than [Config.MaxRedirects] redirects.
	ErrTooManyRedirects = errors.New("fetch: too many redirects")
)

// StatusError is returned by [Fetcher.Get] for a final non-2xx status. The
// response is kept for evidence.
type StatusError struct {
	Status   int
	Response *Response
	// RetryAfter is the pause the server asked for (Retry-After), or 0.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	if e.Response != nil {
		return fmt.Sprintf("fetch: %s: status %d", e.Response.URL, e.Status)
	}
	return fmt.Sprintf("fetch: status %d", e.Status)
}
