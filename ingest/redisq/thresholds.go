package redisq

import (
	"slices"

	"counterlens/models"
)

// reachesBrandMin reports whether a suspicion reaches the min_score of one
// of its brands in the query's scope.
func reachesBrandMin(it models.Suspicion, q SuspicionQuery) bool {
	if len(q.BrandMinScore) == 0 {
		return true
	}
	scope := q.AnyBrand
	if q.BrandID != "" {
		scope = []string{q.BrandID}
	}
	for _, b := range it.Brands {
		if len(scope) > 0 && !slices.Contains(scope, b.BrandID) {
			continue
		}
		if it.Score >= q.BrandMinScore[b.BrandID] {
			return true
		}
	}
	return false
}
