package redisq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

const (
	keyJobs     = prefix + "jobs"
	keyJobsDead = prefix + "jobs:dead"
	group       = "workers"
)

// Delivery is a job handed to one worker. Until it is acknowledged (by
// [Store.FinishListing], [Store.Requeue] or [Store.DeadLetter]) it stays
// pending, and another worker takes it over once it has been idle for the
// visibility timeout: a worker that dies loses no job.
type Delivery struct {
	Job   models.Job
	MsgID string
	// Deliveries counts how often this message was handed out, this time
	// included.
	Deliveries int64
}

func (s *Store) ensureGroup(ctx context.Context) error {
	if s.groupReady.Load() {
		return nil
	}
	err := s.rdb.XGroupCreateMkStream(ctx, keyJobs, group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return wrap(err)
	}
	s.groupReady.Store(true)
	return nil
}

// Claim hands the calling worker one job: first one abandoned by a dead
// worker (idle longer than the visibility timeout), else a new one, waiting up
// to block. It returns nil, nil when there is none.
func (s *Store) Claim(ctx context.Context, consumer string, block time.Duration) (*Delivery, error) {
	if err := s.ensureGroup(ctx); err != nil {
		return nil, err
	}
	msgs, _, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: keyJobs, Group: group, Consumer: consumer,
		MinIdle: s.cfg.Visibility, Start: "0-0", Count: 1,
	}).Result()
	if err != nil {
		if isNoGroup(err) {
			s.groupReady.Store(false)
		}
		return nil, wrap(err)
	}
	if len(msgs) == 1 {
		n, err := s.deliveries(ctx, msgs[0].ID)
		if err != nil {
			return nil, err
		}
		return decodeDelivery(msgs[0], n)
	}
	streams, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: consumer, Streams: []string{keyJobs, ">"},
		Count: 1, Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		if isNoGroup(err) {
			s.groupReady.Store(false)
		}
		return nil, wrap(err)
	}
	for _, st := range streams {
		for _, m := range st.Messages {
			return decodeDelivery(m, 1)
		}
	}
	return nil, nil
}

func isNoGroup(err error) bool { return strings.HasPrefix(err.Error(), "NOGROUP") }

func (s *Store) deliveries(ctx context.Context, id string) (int64, error) {
	p, err := s.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{
		Stream: keyJobs, Group: group, Start: id, End: id, Count: 1,
	}).Result()
	if err != nil {
		return 0, wrap(err)
	}
	if len(p) == 0 {
		return 1, nil
	}
	return p[0].RetryCount, nil
}

func decodeDelivery(m redis.XMessage, n int64) (*Delivery, error) {
	raw, _ := m.Values["job"].(string)
	var j models.Job
	if err := json.Unmarshal([]byte(raw), &j); err != nil {
		return nil, fmt.Errorf("job %s: %w", m.ID, err)
	}
	return &Delivery{Job: j, MsgID: m.ID, Deliveries: n}, nil
}

// MaxAttempts is how often a job may be delivered before it is dead-lettered.
func (s *Store) MaxAttempts() int64 { return s.cfg.MaxAttempts }

// Requeue gives a job back at the end of the queue (e.g. at shutdown), so
// another worker takes it at once instead of after the visibility timeout.
func (s *Store) Requeue(ctx context.Context, d *Delivery) error {
	j := d.Job
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAdd(ctx, &redis.XAddArgs{Stream: keyJobs, Values: map[string]any{"job": mustJSON(j)}})
		p.XAck(ctx, keyJobs, group, d.MsgID)
		p.XDel(ctx, keyJobs, d.MsgID)
		return nil
	})
	return wrap(err)
}

// DeadLetter moves a job that failed too often to the dead-letter stream and
// stores the listing as failed, in one transaction.
func (s *Store) DeadLetter(ctx context.Context, d *Delivery, l models.Listing, reason string) error {
	l.Status, l.Error, l.UpdatedAt = models.StatusFailed, reason, time.Now().UTC()
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, keyListing(l.ID), mustJSON(l), 0)
		p.HIncrBy(ctx, keyStats, "failures", 1)
		p.XAdd(ctx, &redis.XAddArgs{Stream: keyJobsDead, Values: map[string]any{
			"job": mustJSON(d.Job), "reason": reason, "deliveries": d.Deliveries,
		}})
		p.XAck(ctx, keyJobs, group, d.MsgID)
		p.XDel(ctx, keyJobs, d.MsgID)
		return nil
	})
	return wrap(err)
}

// QueueStats describes the job stream.
type QueueStats struct {
	Waiting int64 `json:"waiting"`
	Pending int64 `json:"pending"`
	Dead    int64 `json:"dead"`
}

// QueueStats returns the queue's depth.
func (s *Store) QueueStats(ctx context.Context) (QueueStats, error) {
	var st QueueStats
	if err := s.ensureGroup(ctx); err != nil {
		return st, err
	}
	groups, err := s.rdb.XInfoGroups(ctx, keyJobs).Result()
	if err != nil {
		return st, wrap(err)
	}
	for _, g := range groups {
		if g.Name == group {
			st.Pending = g.Pending
			st.Waiting = g.Lag
		}
	}
	st.Dead, err = s.rdb.XLen(ctx, keyJobsDead).Result()
	return st, wrap(err)
}

// Ack drops a job without a result (e.g. its listing was deleted).
func (s *Store) Ack(ctx context.Context, d *Delivery) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAck(ctx, keyJobs, group, d.MsgID)
		p.XDel(ctx, keyJobs, d.MsgID)
		return nil
	})
	return wrap(err)
}
