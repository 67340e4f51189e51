package html

import (
	"context"
	"slices"
	"testing"

	"counterlens/ingest/connector"
)

// The pages read to their end are a full snapshot: Present names every
// listing on them, also on a crawl that finds nothing new; a crawl cut by
// the page cap is not one.
func TestCrawlReportsWhatIsPresent(t *testing.T) {
	f := newFake(t)
	c := New(f.Srv.Client(), connector.DefaultConfig())
	res, err := c.Crawl(context.Background(), f.source(), "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range res.Listings {
		ids = append(ids, l.ExternalID)
	}
	if len(res.Present) != 3 || !slices.Equal(res.Present, ids) {
		t.Fatalf("present %v, listings %v", res.Present, ids)
	}
	again, err := c.Crawl(context.Background(), f.source(), res.State)
	if err != nil || len(again.Listings) != 0 || !slices.Equal(again.Present, ids) {
		t.Fatalf("second crawl: %d listings, present %v, %v", len(again.Listings), again.Present, err)
	}
	cfg := connector.DefaultConfig()
	cfg.MaxPages = 1
	capped, err := New(f.Srv.Client(), cfg).Crawl(context.Background(), f.source(), "")
	if err != nil || capped.Present != nil {
		t.Fatalf("crawl cut by the page cap: present %v, %v", capped.Present, err)
	}
}
