package pipeline

import (
	"counterlens/models"
	"counterlens/vision"
)

// weakLogo reports a logo detection below its brand's own
// thresholds.logo_confidence: the rights holder has said such detections
// of its mark are not worth an officer's time.
func weakLogo(refs *vision.Refs, s models.Signal) bool {
	if s.Type != models.SignalLogo {
		return false
	}
	b, ok := refs.Brand(s.BrandID)
	return ok && b.Thresholds != nil && s.Confidence < b.Thresholds.LogoConfidence
}
