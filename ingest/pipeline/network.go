package pipeline

import (
	"context"

	"counterlens/models"
)

// NetworkLinker links an analysed listing into its seller network, setting
// its network signals, score and reference (ingest/network.Linker).
type NetworkLinker interface {
	Link(ctx context.Context, l *models.Listing) error
}

// linkNetwork links l, analysed as an, into its seller network; an gets the
// network's signals and score, l its network reference.
func (p *Processor) linkNetwork(ctx context.Context, l *models.Listing, an *models.Analysis) error {
	if p.Networks == nil {
		return nil
	}
	c := *l
	c.Analysis = an
	if err := p.Networks.Link(ctx, &c); err != nil {
		return err
	}
	l.Network = c.Network
	return nil
}
