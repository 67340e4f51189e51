package vision

import (
	"context"

	"counterlens/models"
	"counterlens/vision/decode"
	"counterlens/vision/text"
)

// FindBrandLogos reports the registered marks of one brand in data, with
// the reference set as it is now: the way a picture seen before a logo was
// uploaded is matched against it later, from its stored bytes, without the
// cost of reading its text again. Signals carry no image index.
func (e *Engine) FindBrandLogos(ctx context.Context, data []byte, brandID string) ([]models.Signal, error) {
	img, _, err := decode.Image(data, e.cfg.Limits)
	if err != nil {
		return nil, err
	}
	refs, err := e.Refs(ctx)
	if err != nil {
		return nil, err
	}
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.sem }()
	var rep models.ImageReport
	if err := e.findLogos(ctx, img, refs, &rep); err != nil {
		return nil, err
	}
	out := []models.Signal{}
	for _, s := range rep.Signals {
		if s.BrandID == brandID {
			out = append(out, s)
		}
	}
	return out, nil
}

// NewRefs builds a reference set of brands (names, aliases and policy)
// without logos, for analysers that bring their own image reports.
func NewRefs(version int64, brands []models.Brand) *Refs {
	r := &Refs{Version: version, Brands: brands, Text: text.NewMatcher(brands, text.DefaultLexicon()),
		byID: make(map[string]models.Brand, len(brands))}
	for _, b := range brands {
		r.byID[b.ID] = b
	}
	return r
}
