package redisq

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

const keyAPIKeyIDs = prefix + "apikeyid"

func keyAPIKey(secretHash string) string { return prefix + "apikey:" + secretHash }

// CreateKey stores an API key under the hash of its secret. The secret itself
// never reaches Redis.
func (s *Store) CreateKey(ctx context.Context, k models.APIKey, secretHash string) (models.APIKey, error) {
	k.ID = NewID()
	k.CreatedAt = time.Now().UTC()
	if k.BrandIDs == nil {
		k.BrandIDs = []string{}
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, keyAPIKey(secretHash), mustJSON(k), 0)
		p.HSet(ctx, keyAPIKeyIDs, k.ID, secretHash)
		return nil
	})
	return k, wrap(err)
}

// KeyBySecretHash returns the key whose secret hashes to secretHash.
func (s *Store) KeyBySecretHash(ctx context.Context, secretHash string) (models.APIKey, error) {
	return getJSON[models.APIKey](ctx, s.rdb, keyAPIKey(secretHash))
}

// RevokeKey deletes a key; its secret is refused from then on.
func (s *Store) RevokeKey(ctx context.Context, id string) error {
	h, err := s.rdb.HGet(ctx, keyAPIKeyIDs, id).Result()
	if err != nil {
		return wrap(err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, keyAPIKey(h))
		p.HDel(ctx, keyAPIKeyIDs, id)
		return nil
	})
	return wrap(err)
}
