package redisq

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

// keySourceNames indexes the sources of the sources file by name:
//
//	cl:sourcename  hash  lower-case name -> source id
const keySourceNames = prefix + "sourcename"

// UpsertSource stores a named source: a new one the first time its name is
// seen, else the same source (id, creation and last run kept) with the
// given type, URL, query and interval. Two processes starting at once make
// one source. When the type, URL or query changed, the incremental crawl
// state is dropped: it belonged to another feed. created tells which.
func (s *Store) UpsertSource(ctx context.Context, src models.Source) (models.Source, bool, error) {
	name := strings.ToLower(src.Name)
	id := NewID()
	created, err := s.rdb.HSetNX(ctx, keySourceNames, name, id).Result()
	if err != nil {
		return src, false, wrap(err)
	}
	if created {
		src.ID, src.CreatedAt = id, time.Now().UTC()
		return src, true, wrap(s.rdb.HSet(ctx, keySources, src.ID, mustJSON(src)).Err())
	}
	if id, err = s.rdb.HGet(ctx, keySourceNames, name).Result(); err != nil {
		return src, false, wrap(err)
	}
	old, err := s.Source(ctx, id)
	if err != nil {
		return src, false, err
	}
	src.ID, src.CreatedAt, src.LastRunAt = old.ID, old.CreatedAt, old.LastRunAt
	if src.Name == old.Name && src.Type == old.Type && src.URL == old.URL && src.Query == old.Query && src.Interval == old.Interval {
		return old, false, nil
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, keySources, src.ID, mustJSON(src))
		if src.Type != old.Type || src.URL != old.URL || src.Query != old.Query {
			p.HDel(ctx, keySourceState, src.ID)
		}
		return nil
	})
	return src, false, wrap(err)
}
