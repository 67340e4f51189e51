package redisq

import (
	"context"
	"errors"
	"strconv"

	"counterlens/models"
)

// keyImageResult holds what vision found in one picture, by the SHA-256 of
// its bytes, for one brand reference set version and one set of analysis
// settings (a fingerprint the caller makes), so that a picture analysed
// before is not analysed again:
//
//	cl:imgres:<sha256>:<refver>:<settings>  str  ImageReport JSON, expires after Config.ImageResultTTL
func keyImageResult(sha string, refVersion int64, settings string) string {
	return prefix + "imgres:" + sha + ":" + strconv.FormatInt(refVersion, 10) + ":" + settings
}

// ImageResult returns the stored report of the picture whose bytes hash to
// sha, analysed against reference set refVersion with settings; ok is false
// when there is none. A hit counts in [Stats.ImageReuses].
func (s *Store) ImageResult(ctx context.Context, sha string, refVersion int64, settings string) (models.ImageReport, bool, error) {
	rep, err := getJSON[models.ImageReport](ctx, s.rdb, keyImageResult(sha, refVersion, settings))
	if errors.Is(err, ErrNotFound) {
		return rep, false, nil
	}
	if err != nil {
		return rep, false, err
	}
	if err := s.rdb.HIncrBy(ctx, keyStats, "image_reuses", 1).Err(); err != nil {
		return rep, false, wrap(err)
	}
	return rep, true, nil
}

// SaveImageResult stores the report of a picture for [Store.ImageResult],
// for Config.ImageResultTTL (nothing is stored when it is not positive).
func (s *Store) SaveImageResult(ctx context.Context, sha string, refVersion int64, settings string, rep models.ImageReport) error {
	if s.cfg.ImageResultTTL <= 0 {
		return nil
	}
	return wrap(s.rdb.Set(ctx, keyImageResult(sha, refVersion, settings), mustJSON(rep), s.cfg.ImageResultTTL).Err())
}
