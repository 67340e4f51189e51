package main

import (
	"context"
	"fmt"
	"sync"

	"counterlens/ingest/connector"
	"counterlens/ingest/crawl"
	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq"
	"counterlens/models"
)

// custodyAppender appends to a listing's custody log.
type custodyAppender interface {
	AppendCustody(ctx context.Context, listingID string, e evidence.Event) (evidence.Event, error)
}

// pageLinker links the pages a connector fetched during a crawl (API
// answers, feeds, HTML) to each listing found in them, in the listing's
// custody log, so that the listing's evidence bundle holds them. Its crawl
// collects the captures the fetcher's recorder made under the crawl's
// context and matches them to the listings; its SubmitListing, once the
// listing has its id, logs a "captured" page event for each. It wraps the
// crawler's Store and CrawlFunc, so neither the connectors nor the crawler
// know about evidence.
type pageLinker struct {
	crawl.Store
	custody custodyAppender
	actor   string

	mu sync.Mutex
	// pending holds, per source, the pages of each listing of its last
	// crawl until the listing is submitted. A source is crawled by one
	// run at a time, so a new crawl replaces what an aborted one left.
	pending map[string]map[string][]evidence.Capture
}

func pendingKey(l models.Listing) string { return l.ExternalID + "\x00" + l.URL }

// crawl wraps next so that the pages it fetches are kept for linking.
func (p *pageLinker) crawl(next crawl.ResultFunc) crawl.ResultFunc {
	return func(ctx context.Context, src models.Source, state string) (connector.Result, error) {
		cctx, col := evidence.Collect(ctx)
		res, err := next(cctx, src, state)
		if err != nil {
			return res, err
		}
		caps := col.Captures()
		links := make(map[string][]evidence.Capture, len(res.Listings))
		if len(caps) > 0 {
			for _, l := range res.Listings {
				links[pendingKey(l)] = evidence.LinkPages(l, caps)
			}
		}
		p.mu.Lock()
		if p.pending == nil {
			p.pending = map[string]map[string][]evidence.Capture{}
		}
		p.pending[src.ID] = links
		p.mu.Unlock()
		return res, nil
	}
}

// SubmitListing submits l, then logs the pages it was found in.
func (p *pageLinker) SubmitListing(ctx context.Context, l models.Listing) (redisq.Submitted, error) {
	sub, err := p.Store.SubmitListing(ctx, l)
	if err != nil {
		return sub, err
	}
	p.mu.Lock()
	pages := p.pending[l.SourceID][pendingKey(l)]
	delete(p.pending[l.SourceID], pendingKey(l))
	p.mu.Unlock()
	for _, c := range pages {
		if _, err := p.custody.AppendCustody(ctx, sub.Listing.ID, evidence.PageEvent(c, p.actor)); err != nil {
			return sub, fmt.Errorf("log the page of listing %s: %w", sub.Listing.ID, err)
		}
	}
	return sub, nil
}
