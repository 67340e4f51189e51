package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"counterlens/ingest/network"
	"counterlens/ingest/redisq"
	"counterlens/models"
	"counterlens/vision"
)

// RetroConfig configures retroactive matching.
type RetroConfig struct {
	// Days is how far back, from the upload of a logo, the pictures of
	// analysed listings are matched against it (COUNTERLENS_RETRO_DAYS).
	Days int
	// Batch is how many listings one claim of a task matches.
	Batch int
	// Lease is how long a claimed task is a worker's before another may
	// take it over.
	Lease time.Duration
	// Poll is how often an idle worker looks for a task.
	Poll time.Duration
}

// DefaultRetroConfig returns the defaults.
func DefaultRetroConfig() RetroConfig {
	return RetroConfig{Days: 30, Batch: 20, Lease: 5 * time.Minute, Poll: 3 * time.Second}
}

// Validate reports a configuration that cannot work.
func (c RetroConfig) Validate() error {
	if c.Days < 0 || c.Days > 3650 || c.Batch < 1 || c.Lease < time.Second || c.Poll <= 0 {
		return errors.New("retro: days must be in [0,3650], batch at least 1, lease at least 1s, poll positive")
	}
	return nil
}

// RetroStore keeps the retroactive matching tasks and the listings.
type RetroStore interface {
	ClaimRetro(ctx context.Context, lease time.Duration) (*redisq.RetroTask, error)
	SaveRetro(ctx context.Context, t redisq.RetroTask, lease time.Duration) error
	SeenListings(ctx context.Context, from, to, afterSeen float64, afterID string, n int) ([]redisq.Seen, error)
	Listing(ctx context.Context, id string) (models.Listing, error)
	UpdateAnalysis(ctx context.Context, id string, fn func(*models.Listing) bool) error
}

// BlobReader reads captured bytes by their control number.
type BlobReader interface {
	Get(sum string) ([]byte, error)
}

// LogoFinder finds one brand's registered marks in a picture
// (vision.Engine).
type LogoFinder interface {
	FindBrandLogos(ctx context.Context, data []byte, brandID string) ([]models.Signal, error)
}

// Retro matches each newly uploaded logo against the pictures of the
// listings analysed in the Days before, from their stored evidence, so new
// suspicions appear without crawling again. Tasks are queued by the upload
// (redisq.AddLogo) and run by any worker, a batch at a time under a lease:
// a worker that dies leaves the task to another.
type Retro struct {
	Cfg      RetroConfig
	Store    RetroStore
	Blobs    BlobReader
	Logos    LogoFinder
	Analyzer *Analyzer
	Log      *slog.Logger
}

// Run runs tasks until ctx is done.
func (r *Retro) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		worked, err := r.Step(ctx)
		if err != nil && ctx.Err() == nil {
			r.Log.Warn("retroactive matching failed; will retry", "err", err)
		}
		if worked && err == nil {
			continue
		}
		select {
		case <-time.After(r.Cfg.Poll):
		case <-ctx.Done():
		}
	}
	return nil
}

// Step claims a due task and matches one batch of it; it reports whether
// there was a task.
func (r *Retro) Step(ctx context.Context) (bool, error) {
	t, err := r.Store.ClaimRetro(ctx, r.Cfg.Lease)
	if err != nil || t == nil {
		return false, err
	}
	to := float64(t.Uploaded.Unix())
	from := float64(t.Uploaded.Add(-time.Duration(r.Cfg.Days) * 24 * time.Hour).Unix())
	var seen []redisq.Seen
	if r.Cfg.Days > 0 {
		if seen, err = r.Store.SeenListings(ctx, from, to, t.AfterSeen, t.AfterID, r.Cfg.Batch); err != nil {
			return true, err
		}
	}
	for _, s := range seen {
		found, err := r.match(ctx, s.ID, t.BrandID)
		if err != nil {
			if ctx.Err() != nil {
				return true, ctx.Err()
			}
			// One listing that cannot be matched (evidence gone, picture
			// undecodable) does not stop the others.
			r.Log.Warn("cannot match a stored listing against a new logo", "listing_id", s.ID, "logo_id", t.LogoID, "err", err)
		}
		t.Checked++
		if found {
			t.Matched++
		}
		t.AfterSeen, t.AfterID = s.Seen, s.ID
	}
	if len(seen) < r.Cfg.Batch {
		t.Finished = time.Now().UTC()
		r.Log.Info("retroactive matching done", "logo_id", t.LogoID, "brand_id", t.BrandID, "checked", t.Checked, "matched", t.Matched)
	}
	// A fresh context: progress made is recorded even at shutdown.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return true, r.Store.SaveRetro(sctx, *t, r.Cfg.Lease)
}

// match looks for brandID's marks in the stored pictures of a listing where
// none was found, and adds them to its analysis. It reports whether one was
// found.
func (r *Retro) match(ctx context.Context, id, brandID string) (bool, error) {
	l, err := r.Store.Listing(ctx, id)
	if err != nil || l.Analysis == nil {
		return false, err
	}
	refs, err := r.Analyzer.Vision.Refs(ctx)
	if err != nil {
		return false, err
	}
	var found []models.Signal
	for _, im := range l.Analysis.Images {
		if hasLogo(l.Analysis.Signals, brandID, im.Index) || im.SHA256 == "" {
			continue
		}
		data, err := r.Blobs.Get(im.SHA256)
		if err != nil {
			return false, fmt.Errorf("evidence of picture %d: %w", im.Index, err)
		}
		sigs, err := r.Logos.FindBrandLogos(ctx, data, brandID)
		if err != nil {
			return false, fmt.Errorf("picture %d: %w", im.Index, err)
		}
		for _, s := range sigs {
			if weakLogo(refs, s) {
				continue
			}
			idx := im.Index
			s.ImageIndex = &idx
			s.Reason = fmt.Sprintf("picture %d: %s", idx+1, s.Reason)
			found = append(found, s)
		}
	}
	if len(found) == 0 {
		return false, nil
	}
	analysed := l.Analysis.AnalyzedAt
	err = r.Store.UpdateAnalysis(ctx, id, func(l *models.Listing) bool {
		if !l.Analysis.AnalyzedAt.Equal(analysed) {
			return false // analysed again meanwhile, with the new logo
		}
		r.Analyzer.addPictureSignals(refs, l, found)
		return true
	})
	return err == nil, err
}

func hasLogo(sigs []models.Signal, brandID string, image int) bool {
	for _, s := range sigs {
		if s.Type == models.SignalLogo && s.BrandID == brandID && s.ImageIndex != nil && *s.ImageIndex == image {
			return true
		}
	}
	return false
}

// addPictureSignals adds signals found later in a listing's pictures and
// derives its listing-level signals, brands and score again; the network's
// signals and the seller's confirmed listings stay as they are.
func (a *Analyzer) addPictureSignals(refs *vision.Refs, l *models.Listing, add []models.Signal) {
	an := l.Analysis
	var pictures, nets []models.Signal
	for _, s := range an.Signals {
		switch {
		case network.IsNetworkSignal(s), s.Type == models.SignalSellerConfirmed:
			nets = append(nets, s)
		case s.ImageIndex != nil:
			pictures = append(pictures, s)
		}
	}
	pictures = append(pictures, add...)
	an.Signals = append(append(pictures, listingSignals(refs, *l, pictures, a.Region)...), nets...)
	a.rank(refs, an)
}
