package redisq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// Versions and removals of listings:
//
//	cl:versions:<listing id>  list  earlier versions (Listing JSON, with their analysis and evidence), oldest first
//	cl:srcitems:<source id>   hash  external id -> listing id, every listing a source brought
//	cl:recheck:<source id>    zset  listing id by when its URL was last checked (incremental sources)
func keyVersions(id string) string    { return prefix + "versions:" + id }
func keySourceItems(id string) string { return prefix + "srcitems:" + id }
func keyRecheck(id string) string     { return prefix + "recheck:" + id }

// maxVersions caps the earlier versions kept per listing; the evidence of
// every version stays in the listing's evidence records anyway.
const maxVersions = 100

func nextVersion(prev *models.Listing) int {
	if prev == nil {
		return 1
	}
	return max(prev.Version, 1) + 1
}

// keepVersion queues, in a submit's transaction, what versions and removals
// need: the replaced version, and the listing in its source's index.
func keepVersion(ctx context.Context, p redis.Pipeliner, l models.Listing, prev *models.Listing) {
	if prev != nil {
		if prev.Version == 0 {
			prev.Version = 1
		}
		p.RPush(ctx, keyVersions(l.ID), mustJSON(*prev))
		p.LTrim(ctx, keyVersions(l.ID), -maxVersions, -1)
	}
	if l.SourceID != "" && l.ExternalID != "" {
		p.HSet(ctx, keySourceItems(l.SourceID), l.ExternalID, l.ID)
		p.ZAddNX(ctx, keyRecheck(l.SourceID), redis.Z{Score: float64(l.UpdatedAt.Unix()), Member: l.ID})
	}
}

// unchanged answers a submit of content seen before: nothing is queued, but
// a listing marked removed that shows up again is no longer removed, and
// its custody log says so.
func (s *Store) unchanged(ctx context.Context, old models.Listing) (Submitted, error) {
	if old.RemovedAt.IsZero() {
		return Submitted{Listing: old}, nil
	}
	_, err := s.MarkPresent(ctx, old.ID, resubmitted(old))
	if err == nil && old.SourceID != "" {
		err = wrap(s.rdb.ZAddNX(ctx, keyRecheck(old.SourceID), redis.Z{Score: float64(time.Now().Unix()), Member: old.ID}).Err())
	}
	old.RemovedAt = time.Time{}
	return Submitted{Listing: old}, err
}

// submitActor is who a custody event written by a submit names: the
// listing may come from a crawl or from POST /v1/listings.
const submitActor = "counterlens ingest"

// resubmitted is the "present_again" custody event of a listing marked
// removed that is submitted again.
func resubmitted(old models.Listing) evidence.Event {
	return evidence.PresenceEvent(evidence.EventPresentAgain, time.Now(), submitActor, evidence.HowSubmittedAgain,
		old.SourceID, old.URL)
}

// ListingVersions returns every version of a listing, oldest first, the
// current one last.
func (s *Store) ListingVersions(ctx context.Context, id string) ([]models.Listing, error) {
	cur, err := s.Listing(ctx, id)
	if err != nil {
		return nil, err
	}
	raw, err := s.rdb.LRange(ctx, keyVersions(id), 0, -1).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]models.Listing, 0, len(raw)+1)
	for i, r := range raw {
		var l models.Listing
		if err := json.Unmarshal([]byte(r), &l); err != nil {
			return nil, fmt.Errorf("decode version %d of %s: %w", i+1, id, err)
		}
		out = append(out, l)
	}
	if cur.Version == 0 {
		cur.Version = len(out) + 1
	}
	return append(out, cur), nil
}

// SourceListings returns the listings a source brought: external id ->
// listing id.
func (s *Store) SourceListings(ctx context.Context, sourceID string) (map[string]string, error) {
	m, err := s.rdb.HGetAll(ctx, keySourceItems(sourceID)).Result()
	return m, wrap(err)
}

// MarkRemoved records that a listing is gone from its platform at e.At,
// and appends e, as a "removed" custody event, to its custody log in the
// same transaction. It keeps its analysis, ranking and evidence; it returns
// false, and logs nothing, when the listing was marked removed already.
func (s *Store) MarkRemoved(ctx context.Context, id string, e evidence.Event) (bool, error) {
	e.Type = evidence.EventRemoved
	if e.At.IsZero() {
		e.At = time.Now()
	}
	changed := false
	err := s.updateListing(ctx, id, func(l *models.Listing) bool {
		if !l.RemovedAt.IsZero() {
			return false
		}
		l.RemovedAt, changed = e.At.UTC(), true
		e.Details = withURL(e.Details, l.URL)
		return true
	}, &e)
	return changed, err
}

// MarkPresent records that a listing is on its platform (again): a listing
// marked removed is no longer, and e, as a "present_again" custody event,
// goes into its custody log in the same transaction. It returns true when
// it was marked removed; otherwise nothing is written.
func (s *Store) MarkPresent(ctx context.Context, id string, e evidence.Event) (bool, error) {
	e.Type = evidence.EventPresentAgain
	changed := false
	err := s.updateListing(ctx, id, func(l *models.Listing) bool {
		if l.RemovedAt.IsZero() {
			return false
		}
		l.RemovedAt, changed = time.Time{}, true
		e.Details = withURL(e.Details, l.URL)
		return true
	}, &e)
	return changed, err
}

// withURL returns d with the listing's url when d names none.
func withURL(d map[string]string, url string) map[string]string {
	if url == "" || d[evidence.DetailURL] != "" {
		return d
	}
	d = maps.Clone(d)
	if d == nil {
		d = map[string]string{}
	}
	d[evidence.DetailURL] = url
	return d
}

// updateListing applies change to the stored listing, optimistically: a
// write by another process in between makes it read and apply again. change
// returns false when there is nothing to write. When logged is not nil and
// change writes, logged is chained to the listing's custody log in the
// same transaction.
func (s *Store) updateListing(ctx context.Context, id string, change func(*models.Listing) bool, logged *evidence.Event) error {
	key := keyListing(id)
	watched := []string{key}
	if logged != nil {
		watched = append(watched, keyCustody(id))
	}
	for range custodyRetries {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			l, err := getJSON[models.Listing](ctx, tx, key)
			if err != nil {
				return err
			}
			if !change(&l) {
				return nil
			}
			l.UpdatedAt = time.Now().UTC()
			var sealed evidence.Event
			if logged != nil {
				prev, err := lastCustody(ctx, tx, id)
				if err != nil {
					return err
				}
				sealed = evidence.Chain(prev, *logged)
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, mustJSON(l), 0)
				if logged != nil {
					p.RPush(ctx, keyCustody(id), mustJSON(sealed))
				}
				return nil
			})
			return err
		}, watched...)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
			return err
		}
		return wrap(err)
	}
	return fmt.Errorf("%w: listing %s kept changing", ErrUnavailable, id)
}

// RecheckDue returns up to n listings of a source whose URL was checked
// (or that were found) longest ago, and not after before; not those marked
// removed.
func (s *Store) RecheckDue(ctx context.Context, sourceID string, n int, before time.Time) ([]models.Listing, error) {
	ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: keyRecheck(sourceID), ByScore: true,
		Start: "-inf", Stop: strconv.FormatInt(before.Unix(), 10), Count: int64(n)}).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]models.Listing, 0, len(ids))
	for _, id := range ids {
		l, err := s.Listing(ctx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && !l.RemovedAt.IsZero()) {
			if err := s.rdb.ZRem(ctx, keyRecheck(sourceID), id).Err(); err != nil {
				return nil, wrap(err)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Rechecked records that a listing's URL was checked at at.
func (s *Store) Rechecked(ctx context.Context, sourceID, id string, at time.Time) error {
	return wrap(s.rdb.ZAddXX(ctx, keyRecheck(sourceID), redis.Z{Score: float64(at.Unix()), Member: id}).Err())
}
