package redisq

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrJobGone means the job is no longer pending: another worker took it over
// and finished it, or it was handed back. Its result must not be written a
// second time.
var ErrJobGone = errors.New("job is no longer pending")

// extendScript resets the idle time of a pending job, but only while the
// consumer still holds it: a worker that stalled past the visibility timeout
// must not take a job back from the one that claimed it since.
var extendScript = redis.NewScript(`
local p = redis.call("XPENDING", KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])
if #p == 0 then return 0 end
redis.call("XCLAIM", KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], "JUSTID")
return 1`)

// Extend renews the lease of a job that consumer is still working on, so
// that no other worker claims it while this one is alive. It returns
// ErrJobGone when the job is not pending under consumer any more.
func (s *Store) Extend(ctx context.Context, consumer string, d *Delivery) error {
	n, err := extendScript.Run(ctx, s.rdb, []string{keyJobs}, group, d.MsgID, consumer).Int()
	if err != nil {
		return wrap(err)
	}
	if n == 0 {
		return ErrJobGone
	}
	return nil
}

// Visibility is how long a claimed job may go without a lease renewal before
// another worker takes it over.
func (s *Store) Visibility() time.Duration { return s.cfg.Visibility }

// pending reports whether the job d is still pending in the consumer group.
func pending(ctx context.Context, c redis.Cmdable, d *Delivery) (bool, error) {
	p, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: keyJobs, Group: group, Start: d.MsgID, End: d.MsgID, Count: 1,
	}).Result()
	if err != nil {
		return false, err
	}
	return len(p) == 1, nil
}
