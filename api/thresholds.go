package api

import (
	"context"
	"errors"

	"counterlens/ingest/redisq"
)

// brandMinScores returns the thresholds.min_score of the given brands that
// set one: a rights holder does not see its brands' suspicions below them.
func (s *Server) brandMinScores(ctx context.Context, ids []string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, id := range ids {
		b, err := s.Brands.Brand(ctx, id)
		if errors.Is(err, redisq.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if b.Thresholds != nil && b.Thresholds.MinScore > 0 {
			out[id] = b.Thresholds.MinScore
		}
	}
	return out, nil
}
