package api

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"testing"

	"counterlens/models"
)

func TestOfficialPhotos(t *testing.T) {
	e := newPolicyEnv(t, nil)
	ctx := context.Background()
	nike := e.createBrand("Nike")
	img := pngBytes(t, 120, 90)
	v0, _ := e.store.RefVersion(ctx)
	r := e.upload(http.MethodPost, "/v1/brands/"+nike.ID+"/photos", adminKey, img)
	if r.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var p models.Photo
	r.json(t, &p)
	if p.ID == "" || p.BrandID != nike.ID || p.SHA256 != sha(img) || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(p.PHash) || p.Width != 120 {
		t.Fatalf("photo %s", r.body)
	}
	if v1, _ := e.store.RefVersion(ctx); v1 <= v0 {
		t.Fatal("the reference version did not change: analyses would not see the photo")
	}
	stored, _ := e.store.OfficialPhotos(ctx)
	if len(stored) != 1 || stored[0] != p {
		t.Fatalf("stored %+v", stored)
	}
	wantError(t, e.upload(http.MethodPost, "/v1/brands/"+nike.ID+"/photos", adminKey, img), 409, typeConflict)
	var list struct{ Items []models.Photo }
	e.do(http.MethodGet, "/v1/brands/"+nike.ID+"/photos", adminKey, "", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != p.ID {
		t.Fatalf("list %+v", list.Items)
	}
	for name, data := range map[string][]byte{"not an image": []byte("hello, not a picture"), "bomb": pngBomb(), "truncated": img[:len(img)/2]} {
		t.Run(name, func(t *testing.T) {
			r := e.upload(http.MethodPost, "/v1/brands/"+nike.ID+"/photos", adminKey, data)
			if r.status != 415 && r.status != 422 {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	wantError(t, e.upload(http.MethodPost, "/v1/brands/"+nike.ID+"/photos", adminKey, bytes.Repeat([]byte{1}, 3<<20)), 413, typeTooLarge)
	wantError(t, e.do(http.MethodPost, "/v1/brands/"+nike.ID+"/photos", adminKey, "application/json", bytes.NewReader([]byte("{}"))), 400, typeBadData)
	wantError(t, e.upload(http.MethodPost, "/v1/brands/nope/photos", adminKey, img), 404, typeNotFound)
	wantError(t, e.do(http.MethodGet, "/v1/brands/"+nike.ID+"/photos", e.createKey(models.RoleMonitor), "", nil), 403, typeForbidden)

	if r := e.do(http.MethodDelete, "/v1/brands/"+nike.ID+"/photos/"+p.ID, adminKey, "", nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantError(t, e.do(http.MethodDelete, "/v1/brands/"+nike.ID+"/photos/"+p.ID, adminKey, "", nil), 404, typeNotFound)
	if stored, _ := e.store.OfficialPhotos(ctx); len(stored) != 0 {
		t.Fatalf("after delete %+v", stored)
	}
}

// TestRightsHolderCannotTouchAnotherBrand goes through every brand route
// with the key of another brand's rights holder: each answers 404 (the brand
// does not exist for it) and nothing of the brand changes.
func TestRightsHolderCannotTouchAnotherBrand(t *testing.T) {
	e := newPolicyEnv(t, nil)
	ctx := context.Background()
	nike, puma := e.createBrand("Nike"), e.createBrand("Puma")
	img := pngBytes(t, 64, 48)
	var logo models.Logo
	e.upload(http.MethodPost, "/v1/brands/"+nike.ID+"/logos", adminKey, img).json(t, &logo)
	var photo models.Photo
	e.upload(http.MethodPost, "/v1/brands/"+nike.ID+"/photos", adminKey, img).json(t, &photo)
	holder := e.createKey(models.RoleRightsHolder, puma.ID)
	before, _ := e.store.Brand(ctx, nike.ID)
	v0, _ := e.store.RefVersion(ctx)

	n := "/v1/brands/" + nike.ID
	calls := []struct {
		name string
		do   func() resp
	}{
		{"GET brand", func() resp { return e.do(http.MethodGet, n, holder, "", nil) }},
		{"PATCH brand", func() resp { return e.patch(nike.ID, holder, `{"authorized_sellers":["me"]}`) }},
		{"GET logos", func() resp { return e.do(http.MethodGet, n+"/logos", holder, "", nil) }},
		{"POST logo", func() resp { return e.upload(http.MethodPost, n+"/logos", holder, pngBytes(t, 30, 30)) }},
		{"PUT logo", func() resp { return e.upload(http.MethodPut, n+"/logos/"+logo.ID, holder, pngBytes(t, 30, 30)) }},
		{"PUT logo via own brand", func() resp {
			return e.upload(http.MethodPut, "/v1/brands/"+puma.ID+"/logos/"+logo.ID, holder, pngBytes(t, 30, 30))
		}},
		{"DELETE logo", func() resp { return e.do(http.MethodDelete, n+"/logos/"+logo.ID, holder, "", nil) }},
		{"DELETE logo via own brand", func() resp { return e.do(http.MethodDelete, "/v1/brands/"+puma.ID+"/logos/"+logo.ID, holder, "", nil) }},
		{"GET photos", func() resp { return e.do(http.MethodGet, n+"/photos", holder, "", nil) }},
		{"POST photo", func() resp { return e.upload(http.MethodPost, n+"/photos", holder, pngBytes(t, 31, 31)) }},
		{"DELETE photo", func() resp { return e.do(http.MethodDelete, n+"/photos/"+photo.ID, holder, "", nil) }},
		{"DELETE photo via own brand", func() resp {
			return e.do(http.MethodDelete, "/v1/brands/"+puma.ID+"/photos/"+photo.ID, holder, "", nil)
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) { wantError(t, c.do(), 404, typeNotFound) })
	}
	wantError(t, e.do(http.MethodGet, "/v1/audit?object="+nike.ID, holder, "", nil), 403, typeForbidden)

	after, _ := e.store.Brand(ctx, nike.ID)
	logos, _ := e.store.Logos(ctx)
	photos, _ := e.store.OfficialPhotos(ctx)
	imgs, _ := e.store.LogoImages(ctx, []string{logo.ID})
	if v1, _ := e.store.RefVersion(ctx); v1 != v0 || !sameBrand(after, before) || len(logos) != 1 || len(photos) != 1 || !bytes.Equal(imgs[logo.ID], img) {
		t.Fatalf("Nike changed: version %d -> %d, brand %+v, logos %d, photos %d", v0, v1, after, len(logos), len(photos))
	}
}
