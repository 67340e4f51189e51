package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"counterlens/models"
)

// TestRightsHolderScopeOnEveryRoute walks every route the server has and
// calls it as the rights holder of another brand, aimed at Nike's objects:
// each call is refused (403 or 404, so ids cannot be probed) or answers
// without a trace of Nike, and nothing of Nike changes. A route added
// without a case here fails the test, so the proof keeps up with the API.
func TestRightsHolderScopeOnEveryRoute(t *testing.T) {
	ctx := context.Background()
	store, blobs, signer := newEvidenceStore(t)
	h, e := newTestServer(t, store, withEvidence(store, blobs, signer), func(s *Server) {
		s.Audit, s.Photos = store, store
	})
	nike, puma := e.createBrand("Nike"), e.createBrand("Puma")
	holder := e.createKey(models.RoleRightsHolder, puma.ID)

	// Nike's objects: a logo, an official photo, a listing with a Nike
	// finding in its seller network, a confirmed example, a webhook.
	var logo, photo struct{ ID string }
	e.upload(http.MethodPost, "/v1/brands/"+nike.ID+"/logos", adminKey, pngBytes(t, 64, 48)).json(t, &logo)
	e.upload(http.MethodPost, "/v1/brands/"+nike.ID+"/photos", adminKey, pngBytes(t, 120, 90)).json(t, &photo)
	var sub submitResponse
	e.json(http.MethodPost, "/v1/listings", adminKey, map[string]any{"platform": "ebay", "external_id": "n1",
		"title": "air max", "seller": "kicks", "url": "https://market.example/itm/n1", "image_urls": []string{"https://market.example/n1.png"}}).json(t, &sub)
	finishWithImage(t, store, blobs, sub.ListingID, nike, pngBytes(t, 200, 150))
	netID := linkNetwork(t, store, sub.ListingID)
	if r := e.json(http.MethodPost, "/v1/listings/"+sub.ListingID+"/review", adminKey, map[string]any{"decision": "confirm", "note": "fake"}); r.status != http.StatusOK {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}
	var hook struct{ ID string }
	if r := e.json(http.MethodPost, "/v1/webhooks", adminKey, map[string]any{"url": "https://alerts.example/hook", "brand_id": nike.ID}); r.status != http.StatusCreated {
		t.Fatalf("webhook: %d %s", r.status, r.body)
	} else {
		r.json(t, &hook)
	}
	var src struct{ ID string }
	e.json(http.MethodPost, "/v1/sources", adminKey, map[string]any{"type": "ebay", "url": "https://api.ebay.example", "query": "nike"}).json(t, &src)

	nikeTraces := []string{nike.ID, logo.ID, photo.ID, sub.ListingID, hook.ID, "air max", "kicks"}
	before := snapshot(t, e, nike.ID, sub.ListingID)

	L, N := "/v1/listings/"+sub.ListingID, "/v1/brands/"+nike.ID
	img := func() (string, []byte) { return imageForm(pngBytes(t, 64, 48)) }
	jsonBody := func(v any) (string, []byte) { b, _ := json.Marshal(v); return "application/json", b }
	type call struct {
		path string
		body func() (string, []byte)
	}
	// Keyed by the route as gin has it; every route needs an entry.
	cases := map[string]call{
		"POST /v1/keys": {"/v1/keys", func() (string, []byte) {
			return jsonBody(map[string]any{"name": "x", "role": "rights_holder", "brand_ids": []string{nike.ID}})
		}},
		"DELETE /v1/keys/:id":                 {"/v1/keys/whatever", nil},
		"GET /v1/audit":                       {"/v1/audit", nil},
		"POST /v1/brands":                     {"/v1/brands", func() (string, []byte) { return jsonBody(map[string]any{"name": "Nike 2"}) }},
		"GET /v1/brands":                      {"/v1/brands", nil},
		"GET /v1/brands/:id":                  {N, nil},
		"PATCH /v1/brands/:id":                {N, func() (string, []byte) { return jsonBody(map[string]any{"aliases": []string{"swoosh"}}) }},
		"POST /v1/brands/:id/logos":           {N + "/logos", img},
		"GET /v1/brands/:id/logos":            {N + "/logos", nil},
		"DELETE /v1/brands/:id/logos/:logo":   {N + "/logos/" + logo.ID, nil},
		"PUT /v1/brands/:id/logos/:logo":      {N + "/logos/" + logo.ID, img},
		"POST /v1/brands/:id/photos":          {N + "/photos", img},
		"GET /v1/brands/:id/photos":           {N + "/photos", nil},
		"DELETE /v1/brands/:id/photos/:photo": {N + "/photos/" + photo.ID, nil},
		"GET /v1/brands/:id/examples":         {N + "/examples", nil},
		"POST /v1/analyze":                    {"/v1/analyze", img},
		"POST /v1/listings": {"/v1/listings", func() (string, []byte) {
			return jsonBody(map[string]any{"platform": "ebay", "external_id": "n1", "title": "changed"})
		}},
		"GET /v1/listings/:id":               {L, nil},
		"GET /v1/listings/:id/images/:index": {L + "/images/0", nil},
		"GET /v1/listings/:id/versions":      {L + "/versions", nil},
		"GET /v1/listings/:id/evidence":      {L + "/evidence", nil},
		"DELETE /v1/listings/:id/evidence":   {L + "/evidence", func() (string, []byte) { return jsonBody(map[string]any{"reason": "x"}) }},
		"POST /v1/listings/:id/review":       {L + "/review", func() (string, []byte) { return jsonBody(map[string]any{"decision": "dismiss"}) }},
		"GET /v1/suspicions":                 {"/v1/suspicions?min_score=0&status=all", nil},
		"GET /v1/networks/:id":               {"/v1/networks/" + netID, nil},
		"POST /v1/sources":                   {"/v1/sources", func() (string, []byte) { return jsonBody(map[string]any{"type": "ebay", "url": "https://x.example"}) }},
		"GET /v1/sources":                    {"/v1/sources", nil},
		"GET /v1/sources/:id":                {"/v1/sources/" + src.ID, nil},
		"POST /v1/sources/:id/run":           {"/v1/sources/" + src.ID + "/run", nil},
		"POST /v1/webhooks": {"/v1/webhooks", func() (string, []byte) {
			return jsonBody(map[string]any{"url": "https://h.example/x", "brand_id": nike.ID})
		}},
		"GET /v1/webhooks":                {"/v1/webhooks", nil},
		"DELETE /v1/webhooks/:id":         {"/v1/webhooks/" + hook.ID, nil},
		"GET /v1/webhooks/:id/deliveries": {"/v1/webhooks/" + hook.ID + "/deliveries", nil},
	}
	// Routes without brand data: service endpoints and the page.
	public := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /openapi.json": true,
		"GET /": true, "GET /ui/*file": true, "GET /v1/evidence/public-key": true}

	for _, rt := range h.(*gin.Engine).Routes() {
		route := rt.Method + " " + rt.Path
		if public[route] {
			continue
		}
		c, ok := cases[route]
		if !ok {
			t.Errorf("route %s has no rights-holder scope case here", route)
			continue
		}
		t.Run(route, func(t *testing.T) {
			var ct string
			var body []byte
			if c.body != nil {
				ct, body = c.body()
			}
			r := e.do(rt.Method, c.path, holder, ct, bytes.NewReader(body))
			switch {
			case r.status == http.StatusForbidden || r.status == http.StatusNotFound:
			case r.status < 300:
				for _, tr := range nikeTraces {
					if strings.Contains(string(r.body), tr) {
						t.Errorf("%d answer shows Nike's %q: %s", r.status, tr, r.body)
					}
				}
			default:
				t.Errorf("%d %s, want 403, 404 or an answer without Nike", r.status, r.body)
			}
		})
	}
	if after := snapshot(t, e, nike.ID, sub.ListingID); after != before {
		t.Errorf("Nike changed under the other brand's rights holder:\nbefore %s\nafter  %s", before, after)
	}
	if l, err := store.Listing(ctx, sub.ListingID); err != nil || l.Review == nil || l.Review.Decision != models.DecisionConfirm {
		t.Errorf("the review of Nike's listing is %+v (%v), want the admin's confirmation", l.Review, err)
	}
}

// snapshot is what an admin sees of a brand and a listing: its policy,
// logos, photos, examples, webhooks and the listing with its evidence.
func snapshot(t *testing.T, e *env, brandID, listingID string) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/v1/brands/" + brandID, "/v1/brands/" + brandID + "/logos", "/v1/brands/" + brandID + "/photos",
		"/v1/brands/" + brandID + "/examples", "/v1/webhooks", "/v1/listings/" + listingID} {
		r := e.do(http.MethodGet, p, adminKey, "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("admin GET %s: %d %s", p, r.status, r.body)
		}
		b.Write(r.body)
		b.WriteByte('\n')
	}
	return b.String()
}
