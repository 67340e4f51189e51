package redisq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"counterlens/ingest/evidence"
)

// keyCustody is a list of a listing's custody events (JSON), oldest first:
//
//	cl:custody:<listing id>  list  evidence.Event JSON, hash-chained
func keyCustody(listingID string) string { return prefix + "custody:" + listingID }

// keyEvidenceRefs is the set of listings that captured the bytes with a
// control number; the bytes may leave the store only when it is empty:
//
//	cl:evref:<sha256>  set  listing ids, kept by AppendCustody and DeleteEvidence
func keyEvidenceRefs(sum string) string { return prefix + "evref:" + sum }

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
		prev, err := lastCustody(ctx, tx, listingID)
		if err != nil {
			return err
		}
		sealed = evidence.Chain(prev, e)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.RPush(ctx, key, mustJSON(sealed))
			if sum := e.Details["sha256"]; e.Type == evidence.EventCaptured && evidence.ValidSum(sum) {
				p.SAdd(ctx, keyEvidenceRefs(sum), listingID)
			}
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

// DeleteEvidence appends e, a "deleted" event, to the listing's custody
// chain and drops the listing's reference to each control number of sums,
// in one transaction. Before sealing e it sets e's details
// [evidence.DetailSums] to sums, [evidence.DetailRemoved] to those no
// other listing references (their bytes may now leave the store) and
// [evidence.DetailKept] to the others, and returns the sealed event and the
// removable control numbers. A capture of one of these bytes for another
// listing that races with the deletion restarts it, so the decision always
// holds at the moment the event is written.
func (s *Store) DeleteEvidence(ctx context.Context, listingID string, sums []string, e evidence.Event) (evidence.Event, []string, error) {
	key := keyCustody(listingID)
	watched := []string{key}
	for _, sum := range sums {
		if !evidence.ValidSum(sum) {
			return evidence.Event{}, nil, fmt.Errorf("bad control number %q", sum)
		}
		watched = append(watched, keyEvidenceRefs(sum))
	}
	var sealed evidence.Event
	var removed []string
	txf := func(tx *redis.Tx) error {
		prev, err := lastCustody(ctx, tx, listingID)
		if err != nil {
			return err
		}
		var kept []string
		removed = removed[:0]
		for _, sum := range sums {
			refs, err := tx.SMembers(ctx, keyEvidenceRefs(sum)).Result()
			if err != nil {
				return err
			}
			if slices.ContainsFunc(refs, func(id string) bool { return id != listingID }) {
				kept = append(kept, sum)
			} else {
				removed = append(removed, sum)
			}
		}
		d := maps.Clone(e.Details)
		if d == nil {
			d = map[string]string{}
		}
		d[evidence.DetailSums] = strings.Join(sums, ",")
		d[evidence.DetailRemoved] = strings.Join(removed, ",")
		d[evidence.DetailKept] = strings.Join(kept, ",")
		ev := e
		ev.Type, ev.Details = evidence.EventDeleted, d
		sealed = evidence.Chain(prev, ev)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.RPush(ctx, key, mustJSON(sealed))
			for _, sum := range sums {
				p.SRem(ctx, keyEvidenceRefs(sum), listingID)
			}
			return nil
		})
		return err
	}
	for range custodyRetries {
		err := s.rdb.Watch(ctx, txf, watched...)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return evidence.Event{}, nil, wrap(err)
		}
		return sealed, removed, nil
	}
	return evidence.Event{}, nil, fmt.Errorf("%w: custody chain of %s kept changing", ErrUnavailable, listingID)
}

// lastCustody returns the last event of the listing's custody chain, read
// in tx, or nil when the chain is empty.
func lastCustody(ctx context.Context, tx *redis.Tx, listingID string) (*evidence.Event, error) {
	last, err := tx.LIndex(ctx, keyCustody(listingID), -1).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p evidence.Event
	if err := json.Unmarshal(last, &p); err != nil {
		return nil, fmt.Errorf("decode last custody event of %s: %w", listingID, err)
	}
	return &p, nil
}

// EvidenceReferenced reports whether any listing references the bytes
// with control number sum.
func (s *Store) EvidenceReferenced(ctx context.Context, sum string) (bool, error) {
	n, err := s.rdb.SCard(ctx, keyEvidenceRefs(sum)).Result()
	return n > 0, wrap(err)
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
