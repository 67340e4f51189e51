package redisq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"counterlens/ingest/evidence"
)

// keyCustody is a list of a listing's custody events (JSON), oldest first:
//
//	cl:custody:<listing id>  list  evidence.Event JSON, hash-chained
func keyCustody(listingID string) string { return prefix + "custody:" + listingID }

// custodyRetries bounds how often an append is retried when another writer
// appended to the same chain in between.
const custodyRetries = 50

// AppendCustody appends e to the listing's custody chain and returns it
// sealed (seq, prev, hash set). The append is optimistic: it WATCHes the
// chain, reads its last event, and pushes only if nobody appended in
// between, so two writers can never fork the chain.
func (s *Store) AppendCustody(ctx context.Context, listingID string, e evidence.Event) (evidence.Event, error) {
	key := keyCustody(listingID)
	var sealed evidence.Event
	txf := func(tx *redis.Tx) error {
		var prev *evidence.Event
		last, err := tx.LIndex(ctx, key, -1).Bytes()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			return err
		default:
			var p evidence.Event
			if err := json.Unmarshal(last, &p); err != nil {
				return fmt.Errorf("decode last custody event of %s: %w", listingID, err)
			}
			prev = &p
		}
		sealed = evidence.Chain(prev, e)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.RPush(ctx, key, mustJSON(sealed))
			return nil
		})
		return err
	}
	for range custodyRetries {
		err := s.rdb.Watch(ctx, txf, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return evidence.Event{}, wrap(err)
		}
		return sealed, nil
	}
	return evidence.Event{}, fmt.Errorf("%w: custody chain of %s kept changing", ErrUnavailable, listingID)
}

// Custody returns the listing's custody events, oldest first; none when
// nothing was logged.
func (s *Store) Custody(ctx context.Context, listingID string) ([]evidence.Event, error) {
	raw, err := s.rdb.LRange(ctx, keyCustody(listingID), 0, -1).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]evidence.Event, 0, len(raw))
	for i, r := range raw {
		var e evidence.Event
		if err := json.Unmarshal([]byte(r), &e); err != nil {
			return nil, fmt.Errorf("decode custody event %d of %s: %w", i+1, listingID, err)
		}
		out = append(out, e)
	}
	return out, nil
}
