package api

import (
	"net/http"
	"testing"

	"counterlens/models"
)

// TestOpenAPIPolicyResponses validates the answers of the policy routes
// (rate limits, audit, brand policy, logo replacement, official photos)
// against openapi.json.
func TestOpenAPIPolicyResponses(t *testing.T) {
	doc := loadDoc(t)
	e := newPolicyEnv(t, nil)
	v := newValidator(t, doc, e)

	// Rate limits.
	r := v.json(http.MethodPost, "/v1/keys", adminKey, `{"name":"slow","role":"monitor","rate_limit":{"per_second":0.001,"burst":1}}`, 201)
	var slowKey createKeyResponse
	r.json(t, &slowKey)
	v.json(http.MethodPost, "/v1/keys", adminKey, `{"name":"x","role":"monitor","rate_limit":{"per_second":-1}}`, 400)
	v.call(http.MethodGet, "/v1/brands", slowKey.Key, "", nil, 200)
	v.call(http.MethodGet, "/v1/brands", slowKey.Key, "", nil, 429)

	// Audit.
	v.json(http.MethodPost, "/v1/brands", adminKey, `{"name":"Nike"}`, 201)
	r = v.call(http.MethodGet, "/v1/audit?limit=1", adminKey, "", nil, 200)
	var page auditResponse
	r.json(t, &page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("audit page %s", r.body)
	}
	v.call(http.MethodGet, "/v1/audit?object_type=key&since=2020-01-01T00:00:00Z&cursor="+page.NextCursor, adminKey, "", nil, 200)
	v.call(http.MethodGet, "/v1/audit?since=yesterday", adminKey, "", nil, 400)
	v.call(http.MethodGet, "/v1/audit", slowKey.Key, "", nil, 429)

	// Brand policy.
	r = v.json(http.MethodPost, "/v1/brands", adminKey, `{"name":"Puma","min_prices":[{"amount":50,"currency":"EUR","product_type":"sneakers"}],"thresholds":{"min_score":0.2}}`, 201)
	var puma models.Brand
	r.json(t, &puma)
	v.json(http.MethodPatch, "/v1/brands/"+puma.ID, adminKey, `{"aliases":["formstrip"],"min_price":null,"min_prices":[{"amount":60,"currency":"USD"}],"thresholds":{"min_score":0.3,"logo_confidence":0.6},"official_domains":["puma.com"]}`, 200)
	v.json(http.MethodPatch, "/v1/brands/"+puma.ID, adminKey, `{"min_prices":[{"amount":60,"currency":"XYZ"}]}`, 400)
	v.json(http.MethodPatch, "/v1/brands/"+puma.ID, adminKey, `{"name":"Nike"}`, 409)
	v.json(http.MethodPatch, "/v1/brands/nope", adminKey, `{"aliases":[]}`, 404)
	v.json(http.MethodPatch, "/v1/brands/"+puma.ID, slowKey.Key, `{"aliases":[]}`, 429)
	mon := e.createKey(models.RoleMonitor)
	v.json(http.MethodPatch, "/v1/brands/"+puma.ID, mon, `{"aliases":[]}`, 403)
	get := func(path, key string, want int) resp {
		t.Helper()
		return v.call(http.MethodGet, path, key, "", nil, want)
	}
	get("/v1/brands/"+puma.ID, adminKey, 200)

	// Logo replacement.
	r = v.form("/v1/brands/"+puma.ID+"/logos", adminKey, [][]byte{pngBytes(t, 64, 48)}, nil, 201)
	var logo models.Logo
	r.json(t, &logo)
	v.upload(http.MethodPut, "/v1/brands/"+puma.ID+"/logos/"+logo.ID, adminKey, pngBytes(t, 80, 40), 200)
	v.upload(http.MethodPut, "/v1/brands/"+puma.ID+"/logos/nope", adminKey, pngBytes(t, 80, 40), 404)
	v.upload(http.MethodPut, "/v1/brands/"+puma.ID+"/logos/"+logo.ID, adminKey, []byte("plain text"), 415)
	v.upload(http.MethodPut, "/v1/brands/"+puma.ID+"/logos/"+logo.ID, adminKey, pngBomb(), 422)
	v.upload(http.MethodPut, "/v1/brands/"+puma.ID+"/logos/"+logo.ID, mon, pngBytes(t, 80, 40), 403)

	// Official photos.
	photo := pngBytes(t, 120, 90)
	r = v.upload(http.MethodPost, "/v1/brands/"+puma.ID+"/photos", adminKey, photo, 201)
	var p models.Photo
	r.json(t, &p)
	v.upload(http.MethodPost, "/v1/brands/"+puma.ID+"/photos", adminKey, photo, 409)
	v.upload(http.MethodPost, "/v1/brands/"+puma.ID+"/photos", adminKey, []byte("plain text"), 415)
	v.upload(http.MethodPost, "/v1/brands/"+puma.ID+"/photos", adminKey, pngBomb(), 422)
	v.upload(http.MethodPost, "/v1/brands/nope/photos", adminKey, photo, 404)
	v.upload(http.MethodPost, "/v1/brands/"+puma.ID+"/photos", mon, photo, 403)
	get("/v1/brands/"+puma.ID+"/photos", adminKey, 200)
	get("/v1/brands/"+puma.ID+"/photos", mon, 403)
	v.call(http.MethodDelete, "/v1/brands/"+puma.ID+"/photos/"+p.ID, adminKey, "", nil, 204)
	v.call(http.MethodDelete, "/v1/brands/"+puma.ID+"/photos/"+p.ID, adminKey, "", nil, 404)

	// Suspicions by analysed time.
	get("/v1/suspicions?since=2024-05-01T00:00:00Z&until=2030-05-01T00:00:00%2B02:00&limit=5", adminKey, 200)
	get("/v1/suspicions?since=yesterday", adminKey, 400)

	if !v.errTypes[typeRateLimited] {
		t.Error("rate_limited was not validated")
	}
}

// upload sends one file as the multipart field "image" with method.
func (v *validator) upload(method, path, key string, image []byte, want int) resp {
	v.t.Helper()
	ct, body := imageForm(image)
	return v.call(method, path, key, ct, body, want)
}
