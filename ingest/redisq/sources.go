package redisq

import (
	"context"
	"sort"
	"time"

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
