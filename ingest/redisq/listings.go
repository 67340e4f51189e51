package redisq

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

const (
	keySusp     = prefix + "susp"
	keySuspItem = prefix + "suspitem"
)

func keyListing(id string) string     { return prefix + "listing:" + id }
func keyExt(platform string) string   { return prefix + "ext:" + platform }
func keySuspBrand(id string) string   { return prefix + "susp:brand:" + id }
func keySuspPlatform(p string) string { return prefix + "susp:platform:" + p }
func contentHash(l models.Listing) string {
	return hashOf(l.Title, l.Desc, l.URL, l.Seller, strconv.FormatFloat(l.Price, 'f', -1, 64), l.Currency, strings.Join(l.ImageURLs, "\n"))
}

func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Submitted is the outcome of [Store.SubmitListing].
type Submitted struct {
	Listing models.Listing
	Job     models.Job
	// Queued is false when the same listing (same platform and external id,
	// same content) was submitted before: nothing new is queued.
	Queued bool
	// Changed is true when a listing seen before came with new content: it
	// got a new version, the previous one is kept (see [Store.ListingVersions]).
	Changed bool
}

// SubmitListing stores a listing and queues a job to analyse it. A listing
// with a platform and external id seen before keeps its id; it is queued
// again only if its content changed.
func (s *Store) SubmitListing(ctx context.Context, l models.Listing) (Submitted, error) {
	if err := s.ensureGroup(ctx); err != nil {
		return Submitted{}, err
	}
	n, err := s.rdb.XLen(ctx, keyJobs).Result()
	if err != nil {
		return Submitted{}, wrap(err)
	}
	if n >= s.cfg.MaxQueue {
		return Submitted{}, ErrQueueFull
	}
	now := time.Now().UTC()
	var prev *models.Listing // the version a changed listing replaces
	if l.ExternalID != "" {
		id := NewID()
		set, err := s.rdb.HSetNX(ctx, keyExt(l.Platform), l.ExternalID, id).Result()
		if err != nil {
			return Submitted{}, wrap(err)
		}
		if !set {
			old, err := s.existing(ctx, l)
			if err == nil && contentHash(old) == contentHash(l) {
				return s.unchanged(ctx, old)
			}
			if err != nil && !errors.Is(err, ErrNotFound) {
				return Submitted{}, err
			}
			if err == nil && !old.RemovedAt.IsZero() {
				// Back with new content: logged before the new version is
				// written, so a failed submit cannot lose the event.
				if _, err := s.MarkPresent(ctx, old.ID, resubmitted(old)); err != nil {
					return Submitted{}, err
				}
			}
			if err == nil { // changed: keep id, evidence and creation time
				l.ID, l.CreatedAt, l.Evidence, l.Analysis = old.ID, old.CreatedAt, old.Evidence, old.Analysis
				prev = &old
			}
		} else {
			l.ID = id
		}
	}
	if l.ID == "" {
		l.ID = NewID()
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = now
	}
	l.UpdatedAt = now
	l.Status = models.StatusQueued
	if l.ImageURLs == nil {
		l.ImageURLs = []string{}
	}
	if l.Evidence == nil {
		l.Evidence = []models.Evidence{}
	}
	job := models.Job{ID: NewID(), ListingID: l.ID, Attempt: 1, CreatedAt: now}
	l.Version, l.RemovedAt = nextVersion(prev), time.Time{}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, keyListing(l.ID), mustJSON(l), 0)
		if l.ExternalID != "" {
			p.HSet(ctx, keyExt(l.Platform), l.ExternalID, l.ID)
		}
		keepVersion(ctx, p, l, prev)
		p.XAdd(ctx, &redis.XAddArgs{Stream: keyJobs, Values: map[string]any{"job": mustJSON(job)}})
		return nil
	})
	if err != nil {
		return Submitted{}, wrap(err)
	}
	return Submitted{Listing: l, Job: job, Queued: true, Changed: prev != nil}, nil
}

func (s *Store) existing(ctx context.Context, l models.Listing) (models.Listing, error) {
	id, err := s.rdb.HGet(ctx, keyExt(l.Platform), l.ExternalID).Result()
	if err != nil {
		return models.Listing{}, wrap(err)
	}
	return s.Listing(ctx, id)
}

// Listing returns one listing, with its seller network.
func (s *Store) Listing(ctx context.Context, id string) (models.Listing, error) {
	l, err := getJSON[models.Listing](ctx, s.rdb, keyListing(id))
	if err != nil {
		return l, err
	}
	if l.Review, err = s.listingReview(ctx, id); err != nil {
		return l, err
	}
	return l, s.withNetwork(ctx, &l)
}

// SaveListing stores a listing as it is (e.g. with evidence added while the
// job runs).
func (s *Store) SaveListing(ctx context.Context, l models.Listing) error {
	l.UpdatedAt = time.Now().UTC()
	return wrap(s.rdb.Set(ctx, keyListing(l.ID), mustJSON(l), 0).Err())
}

// SuspicionOf builds the suspicion list entry of an analysed listing.
func SuspicionOf(l models.Listing) models.Suspicion {
	s := models.Suspicion{
		ListingID: l.ID, Platform: l.Platform, URL: l.URL, Title: l.Title, Seller: l.Seller,
		Brands: []models.BrandHit{}, Reasons: []string{}, Status: l.Review.Status(),
	}
	if a := l.Analysis; a != nil {
		s.Score, s.AnalyzedAt = a.Score, a.AnalyzedAt
		if a.Brands != nil {
			s.Brands = a.Brands
		}
		if a.Reasons != nil {
			s.Reasons = a.Reasons
		}
	}
	return s
}

// FinishListing stores an analysed (or failed) listing, ranks it, and
// acknowledges the job that produced it, all in one transaction: the result
// is written exactly once per acknowledged job. d may be nil when no queued
// job is involved. When d is no longer pending (another worker took it over
// and finished it first), nothing is written and the error is ErrJobGone.
func (s *Store) FinishListing(ctx context.Context, l models.Listing, d *Delivery) error {
	// The listing key is watched: a second finisher of the same job, which
	// writes it, makes this transaction fail, and the retry sees the job gone.
	for range custodyRetries {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error { return finishListing(ctx, tx, l, d) }, keyListing(l.ID))
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err == nil || errors.Is(err, ErrJobGone) || errors.Is(err, ErrUnavailable) {
			return err
		}
		return wrap(err)
	}
	return fmt.Errorf("%w: listing %s kept changing", ErrUnavailable, l.ID)
}

func finishListing(ctx context.Context, tx *redis.Tx, l models.Listing, d *Delivery) error {
	if d != nil {
		ok, err := pending(ctx, tx, d)
		if err != nil {
			return err
		}
		if !ok {
			return ErrJobGone
		}
	}
	old, err := hgetJSON[models.Suspicion](ctx, tx, keySuspItem, l.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	l.UpdatedAt = time.Now().UTC()
	_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, keyListing(l.ID), mustJSON(l), 0)
		for _, b := range old.Brands {
			p.ZRem(ctx, keySuspBrand(b.BrandID), l.ID)
		}
		if old.Platform != "" {
			p.ZRem(ctx, keySuspPlatform(old.Platform), l.ID)
		}
		if l.Analysis != nil {
			sp := SuspicionOf(l)
			z := redis.Z{Score: sp.Score, Member: l.ID}
			p.ZAdd(ctx, keySusp, z)
			p.ZAdd(ctx, keySuspPlatform(l.Platform), z)
			for _, b := range sp.Brands {
				p.ZAdd(ctx, keySuspBrand(b.BrandID), z)
			}
			p.HSet(ctx, keySuspItem, l.ID, mustJSON(sp))
			announceAnalysed(ctx, p, l)
			markSeen(ctx, p, l)
			if d != nil {
				countAnalysis(ctx, p, l.Analysis)
			}
		}
		if d != nil {
			p.XAck(ctx, keyJobs, group, d.MsgID)
			p.XDel(ctx, keyJobs, d.MsgID)
		}
		return nil
	})
	return err
}

// SuspicionQuery selects suspicions.
type SuspicionQuery struct {
	// BrandID keeps only listings where this brand was found.
	BrandID string
	// AnyBrand keeps only listings where one of these brands was found (the
	// scope of a rights holder's key); empty means no restriction.
	AnyBrand []string
	Platform string
	MinScore float64
	Limit    int
	Cursor   string
	// Statuses keeps only suspicions of these review statuses; empty means
	// every one.
	Statuses []string
	// BrandMinScore holds brands' own thresholds.min_score: a listing is
	// then kept only if, for one of its brands in scope (BrandID, AnyBrand,
	// or any), its score reaches that brand's threshold.
	BrandMinScore map[string]float64
	// Since and Until, when set, keep listings analysed in [Since, Until].
	Since, Until time.Time
}

// ErrBadCursor means the cursor was not made by this store.
var ErrBadCursor = errors.New("bad cursor")

// Suspicions returns ranked suspicions, highest score first, and the cursor
// of the next page ("" at the end).
func (s *Store) Suspicions(ctx context.Context, q SuspicionQuery) ([]models.Suspicion, string, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	maxScore, afterID := "+inf", ""
	if q.Cursor != "" {
		sc, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, "", err
		}
		maxScore, afterID = strconv.FormatFloat(sc, 'g', -1, 64), id
	}
	key, err := s.suspicionSet(ctx, q)
	if err != nil {
		return nil, "", err
	}
	// Collect one item past the page: it tells whether there is a next page.
	out := make([]models.Suspicion, 0, q.Limit+1)
	batch := int64(q.Limit*2 + 16)
	for offset := int64(0); len(out) <= q.Limit; {
		zs, err := s.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
			Key: key, Start: maxScore, Stop: strconv.FormatFloat(q.MinScore, 'g', -1, 64),
			ByScore: true, Rev: true, Offset: offset, Count: batch,
		}).Result()
		if err != nil {
			return nil, "", wrap(err)
		}
		offset += int64(len(zs))
		ids := make([]string, 0, len(zs))
		for _, z := range zs {
			id := z.Member.(string)
			if afterID != "" && strconv.FormatFloat(z.Score, 'g', -1, 64) == maxScore && id >= afterID {
				continue // on an earlier page: equal scores come in descending id order
			}
			ids = append(ids, id)
		}
		items, err := s.suspicionItems(ctx, ids)
		if err != nil {
			return nil, "", err
		}
		for _, it := range items {
			if q.Platform != "" && it.Platform != q.Platform {
				continue
			}
			if len(q.AnyBrand) > 0 && !hasAnyBrand(it, q.AnyBrand) {
				continue
			}
			if !q.wantStatus(it.Status) || !reachesBrandMin(it, q) {
				continue
			}
			if !q.Since.IsZero() && it.AnalyzedAt.Before(q.Since) || !q.Until.IsZero() && it.AnalyzedAt.After(q.Until) {
				continue
			}
			out = append(out, it)
		}
		if int64(len(zs)) < batch {
			break
		}
	}
	if err := s.withNetworks(ctx, out); err != nil {
		return nil, "", err
	}
	if len(out) <= q.Limit {
		return out, "", nil
	}
	last := out[q.Limit-1]
	return out[:q.Limit], encodeCursor(last.Score, last.ListingID), nil
}

func hasAnyBrand(s models.Suspicion, ids []string) bool {
	for _, b := range s.Brands {
		if slices.Contains(ids, b.BrandID) {
			return true
		}
	}
	return false
}

func (s *Store) suspicionSet(ctx context.Context, q SuspicionQuery) (string, error) {
	switch {
	case q.BrandID != "":
		return keySuspBrand(q.BrandID), nil
	case len(q.AnyBrand) == 1:
		return keySuspBrand(q.AnyBrand[0]), nil
	case len(q.AnyBrand) > 1:
		keys := make([]string, len(q.AnyBrand))
		for i, b := range q.AnyBrand {
			keys[i] = keySuspBrand(b)
		}
		tmp := prefix + "tmp:susp:" + hashOf(keys...)
		_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.ZUnionStore(ctx, tmp, &redis.ZStore{Keys: keys, Aggregate: "MAX"})
			p.Expire(ctx, tmp, 30*time.Second)
			return nil
		})
		return tmp, wrap(err)
	case q.Platform != "":
		return keySuspPlatform(q.Platform), nil
	}
	return keySusp, nil
}

func (s *Store) suspicionItems(ctx context.Context, ids []string) ([]models.Suspicion, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	vals, err := s.rdb.HMGet(ctx, keySuspItem, ids...).Result()
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]models.Suspicion, 0, len(vals))
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var sp models.Suspicion
		if err := json.Unmarshal([]byte(str), &sp); err != nil {
			return nil, fmt.Errorf("decode suspicion %s: %w", ids[i], err)
		}
		out = append(out, sp)
	}
	return out, s.reviewStatuses(ctx, out)
}

func encodeCursor(score float64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatFloat(score, 'g', -1, 64) + "|" + id))
}

func decodeCursor(c string) (float64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(c) > 200 {
		return 0, "", ErrBadCursor
	}
	sc, id, ok := strings.Cut(string(b), "|")
	if !ok || id == "" {
		return 0, "", ErrBadCursor
	}
	f, err := strconv.ParseFloat(sc, 64)
	if err != nil || math.IsNaN(f) {
		return 0, "", ErrBadCursor
	}
	return f, id, nil
}
