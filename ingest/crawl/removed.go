package crawl

import (
	"context"
	"fmt"
	"time"

	"counterlens/ingest/evidence"
	"counterlens/models"
)

// removals marks the listings of src that are gone from the platform. After
// a full snapshot (present not nil), every listing of the source missing
// from it is gone. Otherwise the pages of the Config.Recheck listings
// checked longest ago (and not within Config.RecheckAfter) are asked, and those answering 404 or 410 are gone. A
// removed listing keeps its evidence, analysis and ranking. Each removal,
// and each return of a removed listing, is a custody event of the listing
// saying who found it, when and how.
func (c *Crawler) removals(ctx context.Context, src models.Source, present []string, st *Stats) error {
	now := time.Now()
	if present != nil {
		known, err := c.Store.SourceListings(ctx, src.ID)
		if err != nil {
			return fmt.Errorf("listings of source %s: %w", src.ID, err)
		}
		if len(present) == 0 && len(known) > 0 {
			// An empty page is likelier a broken one than an emptied shop.
			c.Log.Warn("source shows no listing at all; none marked removed", "source_id", src.ID, "known", len(known))
			return nil
		}
		here := make(map[string]bool, len(present))
		for _, id := range present {
			here[id] = true
		}
		for ext, id := range known {
			if here[ext] {
				// Back after a removal: incremental connectors do not
				// return what they saw before, so it is unmarked here.
				if _, err := c.Store.MarkPresent(ctx, id, c.presence(evidence.EventPresentAgain, now, evidence.HowInSnapshot, src, "")); err != nil {
					return fmt.Errorf("mark listing %s present: %w", id, err)
				}
				continue
			}
			ok, err := c.Store.MarkRemoved(ctx, id, c.presence(evidence.EventRemoved, now, evidence.HowMissingFromSnapshot, src, ""))
			if err != nil {
				return fmt.Errorf("mark listing %s removed: %w", id, err)
			}
			if ok {
				st.Removed++
			}
		}
		return nil
	}
	if c.Gone == nil || c.Cfg.Recheck == 0 {
		return nil
	}
	due, err := c.Store.RecheckDue(ctx, src.ID, c.Cfg.Recheck, now.Add(-c.Cfg.RecheckAfter))
	if err != nil {
		return fmt.Errorf("listings of source %s to re-check: %w", src.ID, err)
	}
	for _, l := range due {
		if err := ctx.Err(); err != nil {
			return err
		}
		gone, err := c.Gone(ctx, l)
		if err != nil {
			// Cannot tell now (network, a non-http URL): asked again later.
			c.Log.Debug("cannot re-check listing", "listing_id", l.ID, "url", l.URL, "err", err)
		}
		if gone {
			ok, err := c.Store.MarkRemoved(ctx, l.ID, c.presence(evidence.EventRemoved, now, evidence.HowRecheckGone, src, l.URL))
			if err != nil {
				return fmt.Errorf("mark listing %s removed: %w", l.ID, err)
			}
			if ok {
				st.Removed++
			}
		}
		if err := c.Store.Rechecked(ctx, src.ID, l.ID, now); err != nil {
			return fmt.Errorf("re-check of listing %s: %w", l.ID, err)
		}
	}
	return nil
}

// presence is the custody event of a listing of src found removed or
// present again (typ) at at, how.
func (c *Crawler) presence(typ evidence.EventType, at time.Time, how string, src models.Source, url string) evidence.Event {
	actor := c.Actor
	if actor == "" {
		actor = "counterlens crawler"
	}
	return evidence.PresenceEvent(typ, at, actor, how, src.ID, url)
}
