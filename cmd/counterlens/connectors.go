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
func connectors(doer connector.Doer, cfg connector.Config) crawl.ResultFunc {
	return func(ctx context.Context, src models.Source, state string) (connector.Result, error) {
		c, err := registry.New(src.Type, doer, cfg)
		if err != nil {
			return connector.Result{}, err
		}
		return c.Crawl(ctx, src, state)
	}
}

// gone re-checks a listing's page for removal through the polite fetcher.
func gone(doer connector.Doer) crawl.GoneFunc {
	return func(ctx context.Context, l models.Listing) (bool, error) { return connector.Gone(ctx, doer, l.URL) }
}

// connectorTypes lists the source types that can be crawled.
func connectorTypes() []string { return registry.Types() }
