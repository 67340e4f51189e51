package api

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"counterlens/models"
)

// imageForm is a multipart form whose field "image" holds image.
func imageForm(image []byte) (contentType string, body []byte) {
	return imagesForm([][]byte{image}, nil)
}

// upload sends image as the multipart field "image" with method.
func (e *env) upload(method, path, key string, image []byte) resp {
	e.t.Helper()
	ct, body := imageForm(image)
	return e.do(method, path, key, ct, bytes.NewReader(body))
}

func TestReplaceLogo(t *testing.T) {
	e := newPolicyEnv(t, nil)
	ctx := context.Background()
	nike, puma := e.createBrand("Nike"), e.createBrand("Puma")
	a, b := pngBytes(t, 64, 48), pngBytes(t, 90, 30)
	var old models.Logo
	e.upload(http.MethodPost, "/v1/brands/"+nike.ID+"/logos", adminKey, a).json(t, &old)
	var pumaLogo models.Logo
	e.upload(http.MethodPost, "/v1/brands/"+puma.ID+"/logos", adminKey, a).json(t, &pumaLogo)
	v0, _ := e.store.RefVersion(ctx)

	path := "/v1/brands/" + nike.ID + "/logos/" + old.ID
	r := e.upload(http.MethodPut, path, adminKey, b)
	if r.status != http.StatusOK {
		t.Fatalf("replace: %d %s", r.status, r.body)
	}
	var l models.Logo
	r.json(t, &l)
	if l.ID != old.ID || l.BrandID != nike.ID || l.SHA256 != sha(b) || l.PHash == old.PHash || l.Width != 90 {
		t.Fatalf("replaced logo %s (was %+v)", r.body, old)
	}
	imgs, err := e.store.LogoImages(ctx, []string{old.ID})
	if err != nil || !bytes.Equal(imgs[old.ID], b) {
		t.Fatalf("stored bytes are not the new image (%v)", err)
	}
	if v1, _ := e.store.RefVersion(ctx); v1 <= v0 {
		t.Fatal("the reference version did not change: analyses would keep the old image")
	}
	var list struct{ Items []models.Logo }
	e.do(http.MethodGet, "/v1/brands/"+nike.ID+"/logos", adminKey, "", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].SHA256 != sha(b) {
		t.Fatalf("logos after replace: %+v", list.Items)
	}

	holder := e.createKey(models.RoleRightsHolder, puma.ID)
	if r := e.upload(http.MethodPut, "/v1/brands/"+puma.ID+"/logos/"+pumaLogo.ID, holder, b); r.status != 200 {
		t.Fatalf("holder replaces its own logo: %d %s", r.status, r.body)
	}
	wantError(t, e.upload(http.MethodPut, path, holder, a), 404, typeNotFound)
	wantError(t, e.upload(http.MethodPut, "/v1/brands/"+puma.ID+"/logos/"+old.ID, holder, a), 404, typeNotFound)
	wantError(t, e.upload(http.MethodPut, path, e.createKey(models.RoleMonitor), a), 403, typeForbidden)
	wantError(t, e.upload(http.MethodPut, "/v1/brands/"+nike.ID+"/logos/nope", adminKey, a), 404, typeNotFound)
	wantError(t, e.upload(http.MethodPut, path, adminKey, []byte("not a picture at all")), 415, typeUnsupportedMedia)
	wantError(t, e.upload(http.MethodPut, path, adminKey, pngBomb()), 422, typeUndecodable)
	wantError(t, e.do(http.MethodPut, path, adminKey, "application/json", bytes.NewReader([]byte("{}"))), 400, typeBadData)
	if imgs, _ := e.store.LogoImages(ctx, []string{old.ID}); !bytes.Equal(imgs[old.ID], b) {
		t.Fatal("a refused replacement changed the logo")
	}
}
