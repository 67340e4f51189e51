package shopify

import (
	"context"
	"slices"
	"testing"

	"counterlens/ingest/connector/connectortest"
)

// A catalogue read to its last page is a full snapshot: Present names every
// product matching the query, also those not updated since the last crawl;
// a crawl cut by the page cap is not one.
func TestCrawlReportsWhatIsPresent(t *testing.T) {
	f := newFake(t)
	c := New(f.Srv.Client(), connectortest.Config())
	res, err := c.Crawl(context.Background(), f.source(""), "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range res.Listings {
		ids = append(ids, l.ExternalID)
	}
	slices.Sort(ids)
	present := slices.Sorted(slices.Values(res.Present))
	if len(ids) == 0 || !slices.Equal(present, ids) {
		t.Fatalf("present %v, listings %v", present, ids)
	}
	again, err := c.Crawl(context.Background(), f.source(""), res.State)
	if err != nil || len(again.Listings) != 0 || !slices.Equal(slices.Sorted(slices.Values(again.Present)), ids) {
		t.Fatalf("second crawl: %d listings, present %v, %v", len(again.Listings), again.Present, err)
	}
	cfg := connectortest.Config()
	cfg.MaxPages = 1
	capped, err := New(f.Srv.Client(), cfg).Crawl(context.Background(), f.source(""), "")
	if err != nil || capped.Present != nil {
		t.Fatalf("crawl cut by the page cap: present %v, %v", capped.Present, err)
	}
}
