package api

import (
	"bytes"
	"image"
	_ "image/png"
	"net/http"
	"testing"

	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func imageConfig(b []byte) (image.Config, string, error) {
	return image.DecodeConfig(bytes.NewReader(b))
}

func TestListingImage(t *testing.T) {
	store := newStore(t, redistest.URL(t))
	blobs, err := evidence.NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, e := testServer(t, store, &fakeAnalyzer{}, blobs)
	nike, puma := e.createBrand("Nike"), e.createBrand("Puma")
	r := e.json(http.MethodPost, "/v1/listings", adminKey, map[string]any{"platform": "ebay", "external_id": "9",
		"image_urls": []string{"https://market.example/1.png"}})
	var sub submitResponse
	r.json(t, &sub)
	img := pngBytes(t, 80, 60)
	path := "/v1/listings/" + sub.ListingID + "/images/0"
	wantError(t, e.do(http.MethodGet, path, adminKey, "", nil), 404, typeNotFound) // not analysed yet
	finishWithImage(t, store, blobs, sub.ListingID, nike, img)

	for name, key := range map[string]string{
		"admin":          adminKey,
		"monitor":        e.createKey(models.RoleMonitor),
		"holder of Nike": e.createKey(models.RoleRightsHolder, nike.ID),
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var got bytes.Buffer
			_, _ = got.ReadFrom(res.Body)
			if res.StatusCode != 200 || !bytes.Equal(got.Bytes(), img) {
				t.Fatalf("status %d, %d bytes; want the %d captured bytes", res.StatusCode, got.Len(), len(img))
			}
			if ct := res.Header.Get("Content-Type"); ct != "image/png" {
				t.Errorf("Content-Type %q", ct)
			}
			if h := res.Header.Get("X-Content-SHA256"); h != sha(img) {
				t.Errorf("X-Content-SHA256 %q, want %q", h, sha(img))
			}
		})
	}
	holderOfPuma := e.createKey(models.RoleRightsHolder, puma.ID)
	cases := []struct {
		name, path, key string
		status          int
		typ             string
	}{
		{"no key", path, "", 401, typeUnauthenticated},
		{"another brand's holder", path, holderOfPuma, 404, typeNotFound},
		{"no such image", "/v1/listings/" + sub.ListingID + "/images/1", adminKey, 404, typeNotFound},
		{"bad index", "/v1/listings/" + sub.ListingID + "/images/-1", adminKey, 400, typeBadData},
		{"no such listing", "/v1/listings/nope/images/0", adminKey, 404, typeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.do(http.MethodGet, tc.path, tc.key, "", nil), tc.status, tc.typ)
		})
	}

	// A blob missing from disk is not found; a server without a store says so.
	empty, _ := evidence.NewBlobs(t.TempDir())
	_, e2 := testServer(t, store, &fakeAnalyzer{}, empty)
	wantError(t, e2.do(http.MethodGet, path, adminKey, "", nil), 404, typeNotFound)
	_, e3 := testServer(t, store, &fakeAnalyzer{}, nil)
	wantError(t, e3.do(http.MethodGet, path, adminKey, "", nil), 503, typeUnavailable)
}
