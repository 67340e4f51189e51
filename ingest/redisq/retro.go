package redisq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

// Retroactive matching of a new logo against the pictures seen before:
//
//	cl:seen        zset  listing id by the unix time it was last analysed
//	cl:retro       hash  logo id -> RetroTask JSON
//	cl:retro:due   zset  logo id by the unix milliseconds from which a
//	                     worker may claim it (a claim leases it)
const (
	keySeen     = prefix + "seen"
	keyRetro    = prefix + "retro"
	keyRetroDue = prefix + "retro:due"
)

// RetroTask is the matching of one uploaded logo against the pictures of
// the listings analysed before it, in the order they were seen.
type RetroTask struct {
	LogoID   string    `json:"logo_id"`
	BrandID  string    `json:"brand_id"`
	Uploaded time.Time `json:"uploaded"`
	// AfterSeen and AfterID are the last listing done (its seen time in
	// unix seconds, and id); the next batch starts after it.
	AfterSeen float64 `json:"after_seen"`
	AfterID   string  `json:"after_id"`
	// Checked counts the listings looked at, Matched those where the mark
	// was found.
	Checked  int       `json:"checked"`
	Matched  int       `json:"matched"`
	Finished time.Time `json:"finished,omitzero"`
}

// Seen is a listing analysed at a time.
type Seen struct {
	ID   string
	Seen float64
}

// queueRetro queues the retroactive matching of a logo just stored.
func queueRetro(ctx context.Context, p redis.Pipeliner, l models.Logo) {
	p.HSet(ctx, keyRetro, l.ID, mustJSON(RetroTask{LogoID: l.ID, BrandID: l.BrandID, Uploaded: l.CreatedAt}))
	p.ZAdd(ctx, keyRetroDue, redis.Z{Score: 0, Member: l.ID})
}

// markSeen records when a listing was analysed.
func markSeen(ctx context.Context, p redis.Pipeliner, l models.Listing) {
	if l.Analysis != nil {
		p.ZAdd(ctx, keySeen, redis.Z{Score: float64(l.Analysis.AnalyzedAt.Unix()), Member: l.ID})
	}
}

// claimRetroScript leases the first due task for ARGV[2] ms.
var claimRetroScript = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #ids == 0 then return false end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ids[1])
local t = redis.call('HGET', KEYS[2], ids[1])
if not t then redis.call('ZREM', KEYS[1], ids[1]) return false end
return t`)

// ClaimRetro leases the next retroactive matching task to the caller for
// lease; nil when none is due. A task whose worker died is due again when
// its lease runs out.
func (s *Store) ClaimRetro(ctx context.Context, lease time.Duration) (*RetroTask, error) {
	now := time.Now().UnixMilli()
	res, err := claimRetroScript.Run(ctx, s.rdb, []string{keyRetroDue, keyRetro}, now, lease.Milliseconds()).Text()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err)
	}
	var t RetroTask
	if err := json.Unmarshal([]byte(res), &t); err != nil {
		return nil, fmt.Errorf("decode retro task: %w", err)
	}
	return &t, nil
}

// SaveRetro records a task's progress and renews its lease; a finished
// task is no longer due.
func (s *Store) SaveRetro(ctx context.Context, t RetroTask, lease time.Duration) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, keyRetro, t.LogoID, mustJSON(t))
		if t.Finished.IsZero() {
			p.ZAddXX(ctx, keyRetroDue, redis.Z{Score: float64(time.Now().Add(lease).UnixMilli()), Member: t.LogoID})
		} else {
			p.ZRem(ctx, keyRetroDue, t.LogoID)
		}
		return nil
	})
	return wrap(err)
}

// Retro returns the task of a logo.
func (s *Store) Retro(ctx context.Context, logoID string) (RetroTask, error) {
	return hgetJSON[RetroTask](ctx, s.rdb, keyRetro, logoID)
}

// SeenListings returns up to n listings analysed from from to to (unix
// seconds, inclusive), in the order they were seen, after the listing
// (afterSeen, afterID).
func (s *Store) SeenListings(ctx context.Context, from, to, afterSeen float64, afterID string, n int) ([]Seen, error) {
	lo := strconv.FormatFloat(max(from, afterSeen), 'f', -1, 64)
	var out []Seen
	for offset := int64(0); len(out) < n; {
		zs, err := s.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: keySeen, ByScore: true,
			Start: lo, Stop: strconv.FormatFloat(to, 'f', -1, 64), Offset: offset, Count: int64(n)}).Result()
		if err != nil {
			return nil, wrap(err)
		}
		offset += int64(len(zs))
		for _, z := range zs {
			id := z.Member.(string)
			if z.Score == afterSeen && id <= afterID {
				continue // done in an earlier batch: equal times come in id order
			}
			if len(out) < n {
				out = append(out, Seen{ID: id, Seen: z.Score})
			}
		}
		if len(zs) < n {
			break
		}
	}
	return out, nil
}
