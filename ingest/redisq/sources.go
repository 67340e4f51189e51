package redisq

import (
	"context"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

const (
	keySources     = prefix + "sources"
	keySourceState = prefix + "sourcestate"
)

// CreateSource stores a source to crawl.
func (s *Store) CreateSource(ctx context.Context, src models.Source) (models.Source, error) {
	src.ID = NewID()
	src.CreatedAt = time.Now().UTC()
	return src, wrap(s.rdb.HSet(ctx, keySources, src.ID, mustJSON(src)).Err())
}

// Source returns one source with its crawl state.
func (s *Store) Source(ctx context.Context, id string) (models.Source, error) {
	src, err := hgetJSON[models.Source](ctx, s.rdb, keySources, id)
	if err != nil {
		return src, err
	}
	st, err := s.rdb.HGet(ctx, keySourceState, id).Result()
	if err != nil && wrap(err) != ErrNotFound {
		return src, wrap(err)
	}
	src.State = st
	return src, nil
}

// Sources lists the sources, oldest first.
func (s *Store) Sources(ctx context.Context) ([]models.Source, error) {
	ss, err := hgetAllJSON[models.Source](ctx, s.rdb, keySources)
	sort.Slice(ss, func(i, j int) bool { return ss[i].ID < ss[j].ID })
	return ss, err
}

// SourceCrawled records a finished crawl: the connector's new state and when.
func (s *Store) SourceCrawled(ctx context.Context, src models.Source, state string, at time.Time) error {
	src.LastRunAt = at.UTC()
	src.State = ""
	if err := s.rdb.HSet(ctx, keySources, src.ID, mustJSON(src)).Err(); err != nil {
		return wrap(err)
	}
	return wrap(s.rdb.HSet(ctx, keySourceState, src.ID, state).Err())
}

var unlockScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

// LockSource takes the crawl lock of a source for ttl, so that two processes
// never crawl one source at once. It returns false when another holds it.
// The returned release frees the lock if it is still ours.
func (s *Store) LockSource(ctx context.Context, id, owner string, ttl time.Duration) (bool, func(context.Context), error) {
	key := prefix + "lock:source:" + id
	ok, err := s.rdb.SetNX(ctx, key, owner, ttl).Result()
	if err != nil || !ok {
		return false, nil, wrap(err)
	}
	release := func(ctx context.Context) { _ = unlockScript.Run(ctx, s.rdb, []string{key}, owner).Err() }
	return true, release, nil
}
