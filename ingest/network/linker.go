package network

import (
	"context"
	"fmt"
	"log/slog"

	"counterlens/ingest/score"
	"counterlens/models"
)

// Store keeps the networks (ingest/redisq).
type Store interface {
	LinkListing(ctx context.Context, req Request) (Result, error)
	ListingFacts(ctx context.Context, id string) (Facts, error)
	NetworkMembers(ctx context.Context, id string, limit int) ([]string, error)
	// UpdateAnalysis changes a stored listing's analysis with fn and ranks
	// it anew; fn returns false to leave it.
	UpdateAnalysis(ctx context.Context, id string, fn func(*models.Listing) bool) error
}

// Linker links each analysed listing into its network when the worker
// finishes it, and keeps the network signals of the members up to date.
type Linker struct {
	Store   Store
	Cfg     Config
	Weights score.Weights
	Log     *slog.Logger
}

// Link links l into its network and sets its network signals, score and
// network reference (l is stored by the caller). When the network grew,
// it scores again up to Cfg.MaxRescore other members, whose network
// signals changed.
func (k *Linker) Link(ctx context.Context, l *models.Listing) error {
	if l.Analysis == nil {
		return nil
	}
	res, err := k.Store.LinkListing(ctx, Request{ListingID: l.ID, Seller: SellerID(*l), Keys: Keys(*l), Cfg: k.Cfg})
	if err != nil {
		return fmt.Errorf("link seller network: %w", err)
	}
	Refresh(l.Analysis, res.Facts, k.Weights)
	l.Network = res.Facts.Ref()
	if !res.Grew || k.Cfg.MaxRescore == 0 {
		return nil
	}
	ids, err := k.Store.NetworkMembers(ctx, res.Facts.Network, k.Cfg.MaxRescore+1)
	if err != nil {
		return fmt.Errorf("members of network %s: %w", res.Facts.Network, err)
	}
	n := 0
	for _, id := range ids {
		if id == l.ID || n == k.Cfg.MaxRescore {
			continue
		}
		n++
		if err := k.Rescore(ctx, id); err != nil {
			// The member keeps its older network signals until the next
			// change; the listing at hand is linked all the same.
			k.Log.Warn("cannot rescore network member", "listing_id", id, "network", res.Facts.Network, "err", err)
		}
	}
	return nil
}

// Rescore sets the network signals of a stored listing from what its
// network knows now and ranks it anew.
func (k *Linker) Rescore(ctx context.Context, id string) error {
	f, err := k.Store.ListingFacts(ctx, id)
	if err != nil {
		return err
	}
	return k.Store.UpdateAnalysis(ctx, id, func(l *models.Listing) bool {
		return Refresh(l.Analysis, f, k.Weights)
	})
}
