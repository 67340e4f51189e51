package redisq

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// Review keys:
//
//	cl:review:<listing id>    str   Review JSON, the last decision on the listing
//	cl:neg:<brand id>         hash  image sha256 -> phash: photos where a finding
//	                                of the brand was dismissed (negative bank)
//	cl:examples:<brand id>    hash  listing id:image index -> Example JSON
//	                                (confirmed sightings, positive examples)
func keyReview(listingID string) string { return prefix + "review:" + listingID }
func keyNegative(brandID string) string { return prefix + "neg:" + brandID }
func keyExamples(brandID string) string { return prefix + "examples:" + brandID }

// ErrNotAnalysed means a listing has no analysis to review yet.
var ErrNotAnalysed = errors.New("listing is not analysed yet")

// brandImages returns, per image index, the boxes where brand id was found
// in the analysis; an image with a finding but no box has an empty list.
func brandImages(an *models.Analysis, brandID string) map[int][]models.BBox {
	out := map[int][]models.BBox{}
	for _, s := range an.Signals {
		if s.BrandID != brandID || s.ImageIndex == nil {
			continue
		}
		boxes := out[*s.ImageIndex]
		if s.BBox != nil {
			boxes = append(boxes, *s.BBox)
		}
		out[*s.ImageIndex] = boxes
	}
	return out
}

func imageByIndex(an *models.Analysis, i int) (models.ImageReport, bool) {
	for _, im := range an.Images {
		if im.Index == i {
			return im, true
		}
	}
	return models.ImageReport{}, false
}

// ReviewListing records a decision on an analysed listing, in one
// transaction with its custody event e (sealed onto the listing's chain):
// the review is kept on the listing; a dismissal puts every photo where a
// brand of r.BrandIDs was found into that brand's negative bank (and drops
// the listing's examples of it), a confirmation keeps those photos as the
// brand's positive examples (and takes them out of its negative bank).
// The reviewer feedback the scores read changes with it: a confirmation
// files those photos as confirmed and the listing among its seller's
// confirmed ones, a dismissal takes both back (see feedback.go).
func (s *Store) ReviewListing(ctx context.Context, listingID string, r models.Review, e evidence.Event) (models.Listing, error) {
	cust, rev := keyCustody(listingID), keyReview(listingID)
	confirmed, err := s.confirmedIndex(ctx)
	if err != nil {
		return models.Listing{}, err
	}
	var out models.Listing
	txf := func(tx *redis.Tx) error {
		l, err := getJSON[models.Listing](ctx, tx, keyListing(listingID))
		if err != nil {
			return err
		}
		if l.Analysis == nil {
			return ErrNotAnalysed
		}
		var prev *evidence.Event
		last, err := tx.LIndex(ctx, cust, -1).Bytes()
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
		sealed := evidence.Chain(prev, e)
		feedback, err := s.prepareFeedback(ctx, tx, confirmed, l, r)
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, rev, mustJSON(r), 0)
			feedback(p)
			p.RPush(ctx, cust, mustJSON(sealed))
			for _, b := range r.BrandIDs {
				for i, boxes := range brandImages(l.Analysis, b) {
					im, ok := imageByIndex(l.Analysis, i)
					if !ok || im.SHA256 == "" {
						continue
					}
					field := fmt.Sprintf("%s:%d", listingID, i)
					if r.Decision == models.DecisionDismiss {
						p.HSet(ctx, keyNegative(b), im.SHA256, im.PHash)
						p.HDel(ctx, keyExamples(b), field)
						continue
					}
					p.HDel(ctx, keyNegative(b), im.SHA256)
					if boxes == nil {
						boxes = []models.BBox{}
					}
					p.HSet(ctx, keyExamples(b), field, mustJSON(models.Example{
						BrandID: b, ListingID: listingID, ImageIndex: i, SHA256: im.SHA256, PHash: im.PHash,
						BBoxes: boxes, Note: r.Note, ByKeyID: r.ByKeyID, At: r.At,
					}))
				}
			}
			return nil
		})
		l.Review = &r
		out = l
		return err
	}
	for range custodyRetries {
		err := s.rdb.Watch(ctx, txf, cust, rev, keyListing(listingID))
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return models.Listing{}, wrap(err)
		}
		return out, nil
	}
	return models.Listing{}, fmt.Errorf("%w: listing %s kept changing during its review", ErrUnavailable, listingID)
}

// listingReview returns the last review of a listing, nil when none.
func (s *Store) listingReview(ctx context.Context, listingID string) (*models.Review, error) {
	r, err := getJSON[models.Review](ctx, s.rdb, keyReview(listingID))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// reviewStatuses sets the review status of each suspicion.
func (s *Store) reviewStatuses(ctx context.Context, items []models.Suspicion) error {
	if len(items) == 0 {
		return nil
	}
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = keyReview(it.ListingID)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return wrap(err)
	}
	for i, v := range vals {
		var r *models.Review
		if str, ok := v.(string); ok {
			r = new(models.Review)
			if err := json.Unmarshal([]byte(str), r); err != nil {
				return fmt.Errorf("decode %s: %w", keys[i], err)
			}
		}
		items[i].Status = r.Status()
	}
	return nil
}

// wantStatus reports whether a suspicion of status st is selected by the
// query: by default everything but the dismissed ones.
func (q SuspicionQuery) wantStatus(st string) bool {
	if len(q.Statuses) == 0 {
		return true
	}
	return slices.Contains(q.Statuses, st)
}

// DismissedImages returns brand id's negative bank: the photos (sha256 ->
// phash) where one of its findings was dismissed.
func (s *Store) DismissedImages(ctx context.Context, brandID string) (map[string]string, error) {
	m, err := s.rdb.HGetAll(ctx, keyNegative(brandID)).Result()
	return m, wrap(err)
}

// Examples returns brand id's confirmed sightings, newest first.
func (s *Store) Examples(ctx context.Context, brandID string) ([]models.Example, error) {
	ex, err := hgetAllJSON[models.Example](ctx, s.rdb, keyExamples(brandID))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ex, func(a, b models.Example) int {
		return cmp.Or(b.At.Compare(a.At), cmp.Compare(a.ListingID, b.ListingID), cmp.Compare(a.ImageIndex, b.ImageIndex))
	})
	return ex, nil
}
