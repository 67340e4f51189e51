package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/redisq"
	"counterlens/models"
)

// RateLimiter counts calls per API key. Its state is shared by every serve
// process (redisq keeps it in Redis).
type RateLimiter interface {
	AllowCall(ctx context.Context, keyID string, l models.RateLimit) (redisq.RateDecision, error)
}

// Bounds of a rate limit, for the service default and for a key's own.
const (
	maxPerSecond = 100_000
	maxBurst     = 1_000_000
)

// DefaultRateLimit is the limit of a key without its own: 100 calls a
// second, 200 at once.
func DefaultRateLimit() models.RateLimit { return models.RateLimit{PerSecond: 100, Burst: 200} }

// validRateLimit checks l and fills a missing burst with two seconds' worth
// of calls (at least one).
func validRateLimit(l models.RateLimit) (models.RateLimit, error) {
	if math.IsNaN(l.PerSecond) || l.PerSecond <= 0 || l.PerSecond > maxPerSecond {
		return l, fmt.Errorf("rate_limit.per_second must be above 0 and at most %d", maxPerSecond)
	}
	if l.Burst < 0 || l.Burst > maxBurst {
		return l, fmt.Errorf("rate_limit.burst must be from 1 to %d (0 or absent: twice per_second)", maxBurst)
	}
	if l.Burst == 0 {
		l.Burst = max(1, int(math.Ceil(2*l.PerSecond)))
	}
	return l, nil
}

// limited refuses calls over the key's rate with 429 rate_limited. Every
// answer carries X-RateLimit-Limit (the burst), X-RateLimit-Remaining and
// X-RateLimit-Reset (seconds until the full burst is back); a refusal also
// carries Retry-After. The bootstrap admin key is never limited.
// It reports whether the call was refused.
func (s *Server) limited(c *gin.Context) bool {
	p := who(c)
	if s.Limiter == nil || p.bootstrap {
		return false
	}
	l := s.Cfg.RateLimit
	if p.Key.RateLimit != nil {
		l = *p.Key.RateLimit
	}
	d, err := s.Limiter.AllowCall(c.Request.Context(), p.Key.ID, l)
	if err != nil {
		fail(c, err)
		return true
	}
	h := c.Writer.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(l.Burst))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, d.Remaining)))
	h.Set("X-RateLimit-Reset", ceilSeconds(d.ResetAfter))
	if !d.Allowed {
		h.Set("Retry-After", ceilSeconds(d.RetryAfter))
		fail(c, &Error{Status: http.StatusTooManyRequests, Type: typeRateLimited,
			Message: fmt.Sprintf("too many calls for this key (%g a second, %d at once); retry after %s seconds", l.PerSecond, l.Burst, ceilSeconds(d.RetryAfter))})
		return true
	}
	return false
}

// ceilSeconds formats d as whole seconds, rounded up, as HTTP headers want.
func ceilSeconds(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
}
