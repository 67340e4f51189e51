package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/redisq"
	"counterlens/models"
)

func (e *env) audit(query string) auditResponse {
	e.t.Helper()
	r := e.do(http.MethodGet, "/v1/audit?"+query, adminKey, "", nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("GET /v1/audit?%s: %d %s", query, r.status, r.body)
	}
	var page auditResponse
	r.json(e.t, &page)
	return page
}

func TestAuditRecordsEveryChange(t *testing.T) {
	e := newPolicyEnv(t, nil)
	start := time.Now().UTC().Add(-time.Second)

	r := e.json(http.MethodPost, "/v1/keys", adminKey, map[string]any{"name": "ops", "role": "monitor"})
	var mon createKeyResponse
	r.json(t, &mon)
	brand := e.createBrand("Nike")
	r = e.multipart("/v1/brands/"+brand.ID+"/logos", adminKey, [][]byte{pngBytes(t, 64, 48)}, nil)
	var logo models.Logo
	r.json(t, &logo)
	if r := e.do(http.MethodDelete, "/v1/brands/"+brand.ID+"/logos/"+logo.ID, adminKey, "", nil); r.status != 204 {
		t.Fatalf("delete logo: %d", r.status)
	}
	r = e.json(http.MethodPost, "/v1/sources", mon.Key, map[string]any{"type": "ebay", "url": "https://market.example/"})
	var src models.Source
	r.json(t, &src)
	if r := e.do(http.MethodPost, "/v1/sources/"+src.ID+"/run", mon.Key, "", nil); r.status != 202 {
		t.Fatalf("run: %d %s", r.status, r.body)
	}
	r = e.json(http.MethodPost, "/v1/listings", mon.Key, map[string]any{"platform": "ebay", "external_id": "9", "title": "x"})
	var sub submitResponse
	r.json(t, &sub)
	// Neither reads nor failed calls are changes.
	e.do(http.MethodGet, "/v1/brands", mon.Key, "", nil)
	e.json(http.MethodPost, "/v1/brands", adminKey, map[string]any{"name": ""})
	e.json(http.MethodPost, "/v1/brands", mon.Key, map[string]any{"name": "Puma"})

	page := e.audit("")
	type row struct{ action, objType, objID, keyID, route string }
	var got []row
	for _, it := range page.Items {
		got = append(got, row{it.Action, it.ObjectType, it.ObjectID, it.KeyID, it.Route})
		if it.RequestID == "" || it.At.Before(start) || it.Status < 200 || it.Status > 299 {
			t.Errorf("entry lacks request id, time or status: %+v", it)
		}
	}
	want := []row{
		{"create", "listing", sub.ListingID, mon.ID, "/v1/listings"},
		{"run", "source", src.ID, mon.ID, "/v1/sources/{id}/run"},
		{"create", "source", src.ID, mon.ID, "/v1/sources"},
		{"delete", "logo", logo.ID, "bootstrap", "/v1/brands/{id}/logos/{logo}"},
		{"create", "logo", logo.ID, "bootstrap", "/v1/brands/{id}/logos"},
		{"create", "brand", brand.ID, "bootstrap", "/v1/brands"},
		{"create", "key", mon.ID, "bootstrap", "/v1/keys"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit log, newest first:\n got %+v\nwant %+v", got, want)
	}
	first := page.Items[len(page.Items)-1]
	if first.KeyName != "bootstrap admin" || first.Role != models.RoleAdmin || first.Details["role"] != "monitor" || first.Details["name"] != "ops" {
		t.Errorf("key creation entry: %+v", first)
	}
	if strings.Contains(string(e.do(http.MethodGet, "/v1/audit", adminKey, "", nil).body), mon.Key) {
		t.Fatal("a key's secret reached the audit log")
	}
	if up := page.Items[4]; up.Refs["brand"] != brand.ID || up.Refs["logo"] != logo.ID || up.Details["brand_id"] != brand.ID {
		t.Errorf("logo upload refs: %+v", up)
	}
	if sl := page.Items[0]; sl.Details["job_id"] == "" || sl.KeyName != "ops" || sl.Role != models.RoleMonitor {
		t.Errorf("listing submission: %+v", sl)
	}

	t.Run("filters", func(t *testing.T) {
		ids := func(p auditResponse) []string {
			var out []string
			for _, it := range p.Items {
				out = append(out, it.Action+" "+it.ObjectType)
			}
			return out
		}
		cases := map[string][]string{
			"key=" + mon.ID:                 {"create listing", "run source", "create source"},
			"object=" + brand.ID:            {"delete logo", "create logo", "create brand"},
			"object=" + logo.ID:             {"delete logo", "create logo"},
			"object_type=source":            {"run source", "create source"},
			"key=bootstrap&object_type=key": {"create key"},
			"since=" + url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)): nil,
			"until=" + url.QueryEscape(start.Format(time.RFC3339)):                     nil,
			"since=" + url.QueryEscape(start.Format(time.RFC3339Nano)):                 ids(page),
		}
		for q, want := range cases {
			if got := ids(e.audit(q)); !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", q, got, want)
			}
		}
	})

	t.Run("pages", func(t *testing.T) {
		var all []string
		cursor := ""
		for range 10 {
			p := e.audit("limit=2&cursor=" + cursor)
			if len(p.Items) > 2 {
				t.Fatalf("page of %d items for limit=2", len(p.Items))
			}
			for _, it := range p.Items {
				all = append(all, it.ID)
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		var want []string
		for _, it := range page.Items {
			want = append(want, it.ID)
		}
		if !slices.Equal(all, want) {
			t.Fatalf("paged ids %v, want %v", all, want)
		}
	})

	t.Run("errors", func(t *testing.T) {
		wantError(t, e.do(http.MethodGet, "/v1/audit", mon.Key, "", nil), 403, typeForbidden)
		for _, q := range []string{"since=yesterday", "until=2024-13-01T00:00:00Z", "limit=0", "limit=501", "cursor=nope"} {
			wantError(t, e.do(http.MethodGet, "/v1/audit?"+q, adminKey, "", nil), 400, typeBadData)
		}
	})
}

// Routes other parts of the API add are audited without any code of their
// own: the middleware reads their template, parameters and answer.
func TestAuditIsGenericOverRoutes(t *testing.T) {
	e := newPolicyEnv(t, nil)
	s := &Server{Cfg: DefaultConfig(), Keys: e.store, Audit: e.store, Log: discardLog()}
	s.Cfg.AdminKey = adminKey
	// A bare router with the same error rendering: the real routes these
	// stand for are registered by Handler now, so they cannot be added again.
	r := gin.New()
	r.Use(withRequestID, renderErrors)
	r.POST("/v1/brands/:id/webhooks", s.authenticate, func(c *gin.Context) {
		c.JSON(http.StatusCreated, gin.H{"id": "wh1", "secret": "do-not-log"})
	})
	r.DELETE("/v1/listings/:id/evidence", s.authenticate, func(c *gin.Context) { c.Status(http.StatusNoContent) })
	r.POST("/v1/listings/:id/review", s.authenticate, func(c *gin.Context) {
		auditDetail(c, "verdict", "dismissed")
		c.JSON(http.StatusOK, gin.H{"listing_id": c.Param("id")})
	})
	r.PUT("/v1/fails/:id", s.authenticate, func(c *gin.Context) { fail(c, badData("no", nil)) })
	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, call := range [][2]string{{"POST", "/v1/brands/b1/webhooks"}, {"DELETE", "/v1/listings/l1/evidence"},
		{"POST", "/v1/listings/l2/review"}, {"PUT", "/v1/fails/f1"}} {
		req, _ := http.NewRequest(call[0], srv.URL+call[1], nil)
		req.Header.Set("Authorization", "Bearer "+adminKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	items, _, err := e.store.AuditLog(context.Background(), redisq.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("%d entries, want 3 (the failed call is no change): %+v", len(items), items)
	}
	review, del, hook := items[0], items[1], items[2]
	if review.Action != "review" || review.ObjectType != "listing" || review.ObjectID != "l2" || review.Details["verdict"] != "dismissed" {
		t.Errorf("review entry %+v", review)
	}
	if del.Action != "delete" || del.ObjectType != "evidence" || del.Refs["listing"] != "l1" || del.Route != "/v1/listings/{id}/evidence" {
		t.Errorf("evidence deletion entry %+v", del)
	}
	if hook.Action != "create" || hook.ObjectType != "webhook" || hook.ObjectID != "wh1" || hook.Refs["brand"] != "b1" || hook.Details["secret"] != "" {
		t.Errorf("webhook creation entry %+v", hook)
	}
}
