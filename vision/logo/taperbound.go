package logo

// This file lets scoreSearch skip the search of an elongated pair's
// tapered views (taper.go) when none of them could change the pair's
// score: the ring envelope of the tapered views (alignedRings) caps the
// tolerant overlap and the unshifted score of the region's aligned view
// against every one of them, as ringEnvelope.bound does for the rotated
// views. The view the search would pick is refined only past the coarse
// gate, the refinement floor and, in the fast search, the need (see
// alignedScore); when the caps clear none of these, the search ends with
// the aligned view's score, as it would have. An exact skip
// (TestTaperSkipKeepsScores).

// alignedCounts returns c's aligned view counted per ring; c must have
// one.
func (c *candidate) alignedCounts() *ringCounts {
	if c.alignedRC == nil {
		rc := ringCountsOf(c.aligned)
		c.alignedRC = &rc
	}
	return c.alignedRC
}

// taperMayScore reports whether any tapered view, in the given flip, can
// pass the gates alignedScore puts before refinement, searched with s.
// It says yes when a has no tapered envelope (a nil a or no tapered
// views).
func (a *alignedRings) taperMayScore(c *candidate, flip int, cfg Config, floor float64, s search) bool {
	if a == nil || a.tapered[flip].maskN == 0 && a.tapered[flip].concN == 0 {
		return true
	}
	tol, score := a.tapered[flip].bound(c.aligned, c.alignedCounts())
	// The search keeps a view only over the coarse gate (strictly), and
	// alignedScore refines it only at or over floor-refineSlack and
	// unless the fast search skips it.
	return tol > cfg.CoarseMin && score >= floor-refineSlack && !s.skipRefine(score)
}
