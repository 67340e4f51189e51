package main

import (
	"context"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/registry"
	"counterlens/ingest/crawl"
	"counterlens/models"
)

// connectors dispatches a crawl to the connector of the source's type; every
// request goes through the polite fetcher.
func connectors(doer connector.Doer, cfg connector.Config) crawl.CrawlFunc {
	return func(ctx context.Context, src models.Source, state string) ([]models.Listing, string, error) {
		c, err := registry.New(src.Type, doer, cfg)
		if err != nil {
			return nil, "", err
		}
		res, err := c.Crawl(ctx, src, state)
		return res.Listings, res.State, err
	}
}

// connectorTypes lists the source types that can be crawled.
func connectorTypes() []string { return registry.Types() }
