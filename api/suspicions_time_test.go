package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"counterlens/models"
)

func TestSuspicionsByAnalysedTime(t *testing.T) {
	e := newPolicyEnv(t, nil)
	ctx := context.Background()
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	for i, at := range []time.Time{base, base.Add(time.Hour), base.Add(2 * time.Hour), base.Add(48 * time.Hour)} {
		sub, err := e.store.SubmitListing(ctx, models.Listing{Platform: "ebay", ExternalID: fmt.Sprint(i), Title: "t"})
		if err != nil {
			t.Fatal(err)
		}
		l := sub.Listing
		l.Status = models.StatusAnalyzed
		l.Analysis = &models.Analysis{Score: 0.9 - 0.1*float64(i), AnalyzedAt: at, Brands: []models.BrandHit{}}
		if err := e.store.FinishListing(ctx, l, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	q := func(v url.Values) []string {
		t.Helper()
		var page suspicionsResponse
		r := e.do(http.MethodGet, "/v1/suspicions?"+v.Encode(), adminKey, "", nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", v.Encode(), r.status, r.body)
		}
		r.json(t, &page)
		var out []string
		for _, it := range page.Items {
			out = append(out, it.ListingID)
		}
		return out
	}
	ts := func(d time.Duration) string { return base.Add(d).Format(time.RFC3339) }
	cases := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"no filter", url.Values{}, ids},
		{"since, inclusive", url.Values{"since": {ts(time.Hour)}}, ids[1:]},
		{"until, inclusive", url.Values{"until": {ts(time.Hour)}}, ids[:2]},
		{"a window", url.Values{"since": {ts(30 * time.Minute)}, "until": {ts(3 * time.Hour)}}, ids[1:3]},
		{"another zone", url.Values{"since": {base.Add(time.Hour).In(time.FixedZone("CEST", 2*3600)).Format(time.RFC3339)}}, ids[1:]},
		{"fractional seconds", url.Values{"until": {base.Add(time.Millisecond).Format(time.RFC3339Nano)}}, ids[:1]},
		{"with min_score", url.Values{"since": {ts(time.Hour)}, "min_score": {"0.75"}}, ids[1:2]},
		{"nothing in the window", url.Values{"since": {ts(3 * time.Hour)}, "until": {ts(4 * time.Hour)}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := q(tc.query); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}

	// Pages of a window hold exactly the window.
	var paged []string
	v := url.Values{"since": {ts(time.Hour)}, "limit": {"1"}}
	for range 5 {
		var page suspicionsResponse
		e.do(http.MethodGet, "/v1/suspicions?"+v.Encode(), adminKey, "", nil).json(t, &page)
		for _, it := range page.Items {
			paged = append(paged, it.ListingID)
		}
		if page.NextCursor == "" {
			break
		}
		v.Set("cursor", page.NextCursor)
	}
	if !slices.Equal(paged, ids[1:]) {
		t.Fatalf("paged %v, want %v", paged, ids[1:])
	}

	for _, bad := range []string{"since=yesterday", "until=2024-05-01", "since=2024-05-01T25:00:00Z", "until=1714564800"} {
		wantError(t, e.do(http.MethodGet, "/v1/suspicions?"+bad, adminKey, "", nil), 400, typeBadData)
	}
}
