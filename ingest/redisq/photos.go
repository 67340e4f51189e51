package redisq

import (
	"context"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

// keyPhotos holds the official product photos: photo id -> Photo JSON (the
// hashes, not the bytes). A change bumps cl:refver, so analysers reload them
// with the rest of the reference set.
const keyPhotos = prefix + "photos"

// AddPhoto stores an official photo of an existing brand. The same bytes
// twice for one brand are ErrConflict (with the stored photo).
func (s *Store) AddPhoto(ctx context.Context, p models.Photo) (models.Photo, error) {
	if _, err := s.Brand(ctx, p.BrandID); err != nil {
		return models.Photo{}, err
	}
	all, err := s.OfficialPhotos(ctx)
	if err != nil {
		return models.Photo{}, err
	}
	for _, o := range all {
		if o.BrandID == p.BrandID && o.SHA256 == p.SHA256 {
			return o, ErrConflict
		}
	}
	p.ID = NewID()
	p.CreatedAt = time.Now().UTC()
	return p, s.putRef(ctx, keyPhotos, p.ID, p)
}

// OfficialPhotos returns every official photo of every brand, oldest first.
func (s *Store) OfficialPhotos(ctx context.Context) ([]models.Photo, error) {
	ps, err := hgetAllJSON[models.Photo](ctx, s.rdb, keyPhotos)
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	return ps, err
}

// DeletePhoto removes an official photo.
func (s *Store) DeletePhoto(ctx context.Context, id string) error {
	return s.deleteRef(ctx, id, nil, keyPhotos)
}

// putRef stores v as id in the reference-set hash key and bumps the
// reference version in the same transaction, so that every worker reloads
// the set.
func (s *Store) putRef(ctx context.Context, key, id string, v any) error {
	_, err := s.rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		tx.HSet(ctx, key, id, mustJSON(v))
		tx.Incr(ctx, keyRefVer)
		return nil
	})
	return wrap(err)
}

// deleteRef removes id from the reference-set hashes keys (the first one
// says whether it existed), queues also (when set) in the same transaction,
// and bumps the reference version.
func (s *Store) deleteRef(ctx context.Context, id string, also func(redis.Pipeliner), keys ...string) error {
	var del *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		del = tx.HDel(ctx, keys[0], id)
		for _, k := range keys[1:] {
			tx.HDel(ctx, k, id)
		}
		if also != nil {
			also(tx)
		}
		tx.Incr(ctx, keyRefVer)
		return nil
	})
	if err != nil {
		return wrap(err)
	}
	if del.Val() == 0 {
		return ErrNotFound
	}
	return nil
}
