package redisq

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"counterlens/models"
)

// keyRate names the GCRA state of one API key. redis_rate puts its own
// "rate:" prefix in front, so the Redis key is rate:cl:key:<id>; it expires
// by itself once the key is idle for longer than its reset time.
func keyRate(keyID string) string { return prefix + "key:" + keyID }

// RateDecision is the limiter's verdict on one call.
type RateDecision struct {
	Allowed bool
	// Remaining is how many calls could be made at once right now.
	Remaining int
	// RetryAfter is how long to wait for the next allowed call; meaningful
	// only when the call was refused.
	RetryAfter time.Duration
	// ResetAfter is how long until the full burst is available again.
	ResetAfter time.Duration
}

// AllowCall counts one call of the API key keyID against l, with the GCRA
// of github.com/go-redis/redis_rate: the state lives in Redis, so every serve
// process shares the same budget, and time is Redis's own clock.
func (s *Store) AllowCall(ctx context.Context, keyID string, l models.RateLimit) (RateDecision, error) {
	res, err := redis_rate.NewLimiter(s.rdb).Allow(ctx, keyRate(keyID), gcraLimit(l))
	if err != nil {
		return RateDecision{}, wrap(err)
	}
	return RateDecision{Allowed: res.Allowed > 0, Remaining: res.Remaining, RetryAfter: res.RetryAfter, ResetAfter: res.ResetAfter}, nil
}

// gcraLimit expresses a rate per second as one call per emission interval,
// so fractional rates (one call an hour) work as well as large ones.
func gcraLimit(l models.RateLimit) redis_rate.Limit {
	return redis_rate.Limit{Rate: 1, Burst: max(1, l.Burst), Period: time.Duration(float64(time.Second) / l.PerSecond)}
}
