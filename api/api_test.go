package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

const adminKey = "test-admin-key-0123456789"

// fakeAnalyzer stands in for the vision engine (cgo) in handler tests: it
// reports the number of images and the title it was given.
type fakeAnalyzer struct{ calls int }

func (f *fakeAnalyzer) Analyze(_ context.Context, l models.Listing, images [][]byte, _ bool) (models.Analysis, error) {
	f.calls++
	an := models.Analysis{Score: 0.5, Reasons: []string{"fake"}, Brands: []models.BrandHit{}, Signals: []models.Signal{}}
	for i, b := range images {
		an.Images = append(an.Images, models.ImageReport{Index: i, SHA256: sha(b)})
	}
	if l.Title != "" {
		an.Signals = append(an.Signals, models.Signal{Type: models.SignalRiskTerm, Value: l.Title, Source: models.SourceListingText})
	}
	return an, nil
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

type env struct {
	t     *testing.T
	srv   *httptest.Server
	store *redisq.Store
	an    *fakeAnalyzer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, newStore(t, redistest.URL(t)))
}

// newEnvWith is [newTestServer] on store, as it is.
func newEnvWith(t *testing.T, store *redisq.Store) *env {
	t.Helper()
	_, e := newTestServer(t, store)
	return e
}

type resp struct {
	status int
	body   []byte
}

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

func (e *env) do(method, path, key, contentType string, body io.Reader) resp {
	e.t.Helper()
	res, err := http.DefaultClient.Do(newRequest(e.t, method, e.srv.URL+path, key, contentType, body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, body: b}
}

func (e *env) json(method, path, key string, v any) resp {
	e.t.Helper()
	b, _ := json.Marshal(v)
	return e.do(method, path, key, "application/json", bytes.NewReader(b))
}

func (e *env) multipart(path, key string, files [][]byte, fields map[string]string) resp {
	e.t.Helper()
	ct, body := imagesForm(files, fields)
	return e.do(http.MethodPost, path, key, ct, bytes.NewReader(body))
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// wantError checks status and the error shape of API.md.
func wantError(t *testing.T, r resp, status int, typ string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	var eb errorBody
	r.json(t, &eb)
	if eb.Error.Type != typ || eb.Error.Message == "" || !requestIDPattern.MatchString(eb.Error.RequestID) {
		t.Fatalf("error body %s, want type %q with message and request_id", r.body, typ)
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 3), uint8(x ^ y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngBomb is a valid PNG header claiming 60000x60000 pixels.
func pngBomb() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 60000)
	binary.BigEndian.PutUint32(ihdr[4:], 60000)
	ihdr[8], ihdr[9] = 8, 2
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func (e *env) createBrand(name string) models.Brand {
	e.t.Helper()
	r := e.json(http.MethodPost, "/v1/brands", adminKey, map[string]any{"name": name})
	if r.status != http.StatusCreated {
		e.t.Fatalf("create brand: %d %s", r.status, r.body)
	}
	var b models.Brand
	r.json(e.t, &b)
	return b
}

func (e *env) createKey(role models.Role, brands ...string) string {
	e.t.Helper()
	r := e.json(http.MethodPost, "/v1/keys", adminKey, map[string]any{"name": "k", "role": role, "brand_ids": brands})
	if r.status != http.StatusCreated {
		e.t.Fatalf("create key: %d %s", r.status, r.body)
	}
	var k createKeyResponse
	r.json(e.t, &k)
	if k.Key == "" || k.ID == "" || k.Role != role {
		e.t.Fatalf("key answer %s", r.body)
	}
	return k.Key
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	wantError(t, e.do(http.MethodGet, "/v1/brands", "", "", nil), 401, typeUnauthenticated)
	wantError(t, e.do(http.MethodGet, "/v1/brands", "nope", "", nil), 401, typeUnauthenticated)
	if r := e.do(http.MethodGet, "/v1/brands", adminKey, "", nil); r.status != 200 {
		t.Fatalf("bootstrap admin key: %d %s", r.status, r.body)
	}
	mon := e.createKey(models.RoleMonitor)
	if r := e.do(http.MethodGet, "/v1/suspicions", mon, "", nil); r.status != 200 {
		t.Fatalf("monitor reads suspicions: %d %s", r.status, r.body)
	}
	wantError(t, e.json(http.MethodPost, "/v1/brands", mon, map[string]any{"name": "X"}), 403, typeForbidden)
	wantError(t, e.json(http.MethodPost, "/v1/keys", mon, map[string]any{"name": "x", "role": "admin"}), 403, typeForbidden)

	// The secret is stored only as a hash.
	var id string
	{
		r := e.json(http.MethodPost, "/v1/keys", adminKey, map[string]any{"name": "tmp", "role": "monitor"})
		var k createKeyResponse
		r.json(t, &k)
		id = k.ID
		if got, err := e.store.KeyBySecretHash(context.Background(), hashSecret(k.Key)); err != nil || got.ID != id {
			t.Fatalf("key not stored under its hash: %v", err)
		}
		if r := e.do(http.MethodDelete, "/v1/keys/"+id, adminKey, "", nil); r.status != 204 {
			t.Fatalf("revoke: %d %s", r.status, r.body)
		}
		wantError(t, e.do(http.MethodGet, "/v1/brands", k.Key, "", nil), 401, typeUnauthenticated)
	}
	wantError(t, e.do(http.MethodDelete, "/v1/keys/"+id, adminKey, "", nil), 404, typeNotFound)
	wantError(t, e.json(http.MethodPost, "/v1/keys", adminKey, map[string]any{"name": "x", "role": "root"}), 400, typeBadData)
	wantError(t, e.json(http.MethodPost, "/v1/keys", adminKey, map[string]any{"name": "x", "role": "rights_holder"}), 400, typeBadData)
}

func TestBrandsAndLogos(t *testing.T) {
	e := newEnv(t)
	r := e.json(http.MethodPost, "/v1/brands", adminKey, map[string]any{
		"name": "Nike", "aliases": []string{"swoosh"}, "min_price": map[string]any{"amount": 60, "currency": "eur"},
		"authorized_sellers": []string{"nike-official"},
	})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var nike models.Brand
	r.json(t, &nike)
	if nike.ID == "" || nike.Name != "Nike" || nike.MinPrice.Currency != "EUR" {
		t.Fatalf("brand %s", r.body)
	}
	adidas := e.createBrand("adidas")

	bad := []struct {
		name string
		body string
	}{
		{"no name", `{"aliases":["x"]}`},
		{"malformed", `{"name":`},
		{"name not a string", `{"name":42}`},
		{"wrong type", `{"name":"A","aliases":"x"}`},
		{"bad price", `{"name":"A","min_price":{"amount":-1,"currency":"EUR"}}`},
		{"two objects", `{"name":"A"}{"name":"B"}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.do(http.MethodPost, "/v1/brands", adminKey, "application/json", strings.NewReader(tc.body)), 400, typeBadData)
		})
	}
	wantError(t, e.json(http.MethodPost, "/v1/brands", adminKey, map[string]any{"name": "NIKE"}), 409, typeConflict)
	wantError(t, e.do(http.MethodGet, "/v1/brands/nope", adminKey, "", nil), 404, typeNotFound)
	big := `{"name":"` + strings.Repeat("a", 2<<20) + `"}`
	wantError(t, e.do(http.MethodPost, "/v1/brands", adminKey, "application/json", strings.NewReader(big)), 413, typeTooLarge)

	logo := pngBytes(t, 64, 48)
	r = e.multipart("/v1/brands/"+nike.ID+"/logos", adminKey, [][]byte{logo}, nil)
	if r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var l models.Logo
	r.json(t, &l)
	if l.ID == "" || l.BrandID != nike.ID || l.SHA256 != sha(logo) || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(l.PHash) {
		t.Fatalf("logo answer %s", r.body)
	}

	// A rights holder acts on its own brand only; another brand does not exist for it.
	holder := e.createKey(models.RoleRightsHolder, adidas.ID)
	if r := e.multipart("/v1/brands/"+adidas.ID+"/logos", holder, [][]byte{logo}, nil); r.status != 201 {
		t.Fatalf("holder uploads to own brand: %d %s", r.status, r.body)
	}
	wantError(t, e.multipart("/v1/brands/"+nike.ID+"/logos", holder, [][]byte{logo}, nil), 404, typeNotFound)
	wantError(t, e.do(http.MethodGet, "/v1/brands/"+nike.ID, holder, "", nil), 404, typeNotFound)
	wantError(t, e.do(http.MethodDelete, "/v1/brands/"+nike.ID+"/logos/"+l.ID, holder, "", nil), 404, typeNotFound)
	var list struct{ Items []models.Brand }
	e.do(http.MethodGet, "/v1/brands", holder, "", nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != adidas.ID {
		t.Fatalf("holder sees brands %+v", list.Items)
	}

	uploads := []struct {
		name   string
		data   []byte
		status int
		typ    string
	}{
		{"not an image", []byte("just some text, not a picture"), 415, typeUnsupportedMedia},
		{"decompression bomb", pngBomb(), 422, typeUndecodable},
		{"truncated png", logo[:len(logo)/2], 422, typeUndecodable},
		{"over the size limit", bytes.Repeat([]byte{0}, 300<<10), 413, typeTooLarge},
	}
	for _, tc := range uploads {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, e.multipart("/v1/brands/"+nike.ID+"/logos", adminKey, [][]byte{tc.data}, nil), tc.status, tc.typ)
		})
	}
	wantError(t, e.do(http.MethodPost, "/v1/brands/"+nike.ID+"/logos", adminKey, "application/json", strings.NewReader("{}")), 400, typeBadData)

	if r := e.do(http.MethodDelete, "/v1/brands/"+nike.ID+"/logos/"+l.ID, adminKey, "", nil); r.status != 204 {
		t.Fatalf("delete logo: %d %s", r.status, r.body)
	}
	wantError(t, e.do(http.MethodDelete, "/v1/brands/"+nike.ID+"/logos/"+l.ID, adminKey, "", nil), 404, typeNotFound)
}

func TestAnalyze(t *testing.T) {
	e := newEnv(t)
	img := pngBytes(t, 20, 20)
	r := e.multipart("/v1/analyze", adminKey, [][]byte{img, img}, map[string]string{"title": "replica", "price": "19,99", "currency": "eur"})
	if r.status != 200 {
		t.Fatalf("analyze: %d %s", r.status, r.body)
	}
	var an models.Analysis
	r.json(t, &an)
	if len(an.Images) != 2 || an.Images[0].SHA256 != sha(img) || len(an.Signals) != 1 {
		t.Fatalf("analysis %s", r.body)
	}
	wantError(t, e.multipart("/v1/analyze", adminKey, nil, map[string]string{"title": "x"}), 400, typeBadData)
	wantError(t, e.multipart("/v1/analyze", adminKey, [][]byte{img}, map[string]string{"price": "cheap"}), 400, typeBadData)
	wantError(t, e.multipart("/v1/analyze", adminKey, [][]byte{img}, map[string]string{"title": strings.Repeat("x", maxTitle+1)}), 400, typeBadData)
	many := make([][]byte, 11)
	for i := range many {
		many[i] = img
	}
	wantError(t, e.multipart("/v1/analyze", adminKey, many, nil), 400, typeBadData)
	holder := e.createKey(models.RoleRightsHolder, e.createBrand("b").ID)
	wantError(t, e.multipart("/v1/analyze", holder, [][]byte{img}, nil), 403, typeForbidden)
}

func TestListingsSuspicionsAndSources(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	body := map[string]any{"platform": "ebay", "external_id": "1234", "url": "https://example.com/itm/1234",
		"title": "sneakers size 42", "price": 19.99, "currency": "EUR", "seller": "s1",
		"image_urls": []string{"https://example.com/1.jpg"}}
	r := e.json(http.MethodPost, "/v1/listings", adminKey, body)
	if r.status != 202 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	var sub submitResponse
	r.json(t, &sub)
	if sub.ListingID == "" || sub.JobID == "" {
		t.Fatalf("submit answer %s", r.body)
	}
	r = e.do(http.MethodGet, "/v1/listings/"+sub.ListingID, adminKey, "", nil)
	var got map[string]any
	r.json(t, &got)
	if got["id"] != sub.ListingID || got["analysis"] != nil || got["title"] != "sneakers size 42" {
		t.Fatalf("listing %s", r.body)
	}
	if _, ok := got["evidence"].([]any); !ok {
		t.Fatalf("evidence must be a list: %s", r.body)
	}
	wantError(t, e.json(http.MethodPost, "/v1/listings", adminKey, map[string]any{"image_urls": []string{"file:///etc/passwd"}}), 400, typeBadData)
	wantError(t, e.do(http.MethodGet, "/v1/listings/nope", adminKey, "", nil), 404, typeNotFound)

	// Analysed by hand here; the worker does it in production.
	brand := e.createBrand("Nike")
	l, _ := e.store.Listing(ctx, sub.ListingID)
	l.Analysis = &models.Analysis{Score: 0.8, Brands: []models.BrandHit{{BrandID: brand.ID, Name: "Nike"}}, Reasons: []string{"r"}}
	if err := e.store.FinishListing(ctx, l, nil); err != nil {
		t.Fatal(err)
	}
	var page suspicionsResponse
	e.do(http.MethodGet, "/v1/suspicions?min_score=0.5", adminKey, "", nil).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ListingID != sub.ListingID || page.Items[0].Score != 0.8 {
		t.Fatalf("suspicions %+v", page)
	}
	holder := e.createKey(models.RoleRightsHolder, brand.ID)
	other := e.createKey(models.RoleRightsHolder, e.createBrand("Puma").ID)
	e.do(http.MethodGet, "/v1/suspicions", holder, "", nil).json(t, &page)
	if len(page.Items) != 1 {
		t.Fatalf("holder of Nike sees %d suspicions", len(page.Items))
	}
	e.do(http.MethodGet, "/v1/suspicions", other, "", nil).json(t, &page)
	if len(page.Items) != 0 {
		t.Fatalf("holder of Puma sees Nike's suspicions: %+v", page.Items)
	}
	wantError(t, e.do(http.MethodGet, "/v1/suspicions?brand_id="+brand.ID, other, "", nil), 403, typeForbidden)
	wantError(t, e.do(http.MethodGet, "/v1/listings/"+sub.ListingID, other, "", nil), 404, typeNotFound)
	if r := e.do(http.MethodGet, "/v1/listings/"+sub.ListingID, holder, "", nil); r.status != 200 {
		t.Fatalf("holder of Nike reads its listing: %d", r.status)
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "min_score=2", "min_score=-1", "cursor=%25%25"} {
		t.Run(q, func(t *testing.T) {
			wantError(t, e.do(http.MethodGet, "/v1/suspicions?"+q, adminKey, "", nil), 400, typeBadData)
		})
	}

	wantError(t, e.json(http.MethodPost, "/v1/sources", adminKey, map[string]any{"type": "myspace", "url": "https://x"}), 400, typeBadData)
	wantError(t, e.json(http.MethodPost, "/v1/sources", adminKey, map[string]any{"type": "ebay", "url": "ftp://x"}), 400, typeBadData)
	wantError(t, e.json(http.MethodPost, "/v1/sources", adminKey, map[string]any{"type": "ebay", "url": "https://x", "interval": "1s"}), 400, typeBadData)
	r = e.json(http.MethodPost, "/v1/sources", adminKey, map[string]any{"type": "ebay", "url": "https://market.example/", "query": "sneakers", "interval": "15m"})
	if r.status != 201 {
		t.Fatalf("create source: %d %s", r.status, r.body)
	}
	var src models.Source
	r.json(t, &src)
	r = e.do(http.MethodPost, "/v1/sources/"+src.ID+"/run", adminKey, "", nil)
	if r.status != 202 || !strings.Contains(string(r.body), "run_id") {
		t.Fatalf("run: %d %s", r.status, r.body)
	}
	deadline := time.Now().Add(30 * time.Second) // a wait, not a speed check: the shared CI machine can be loaded
	for {
		s, _ := e.store.Source(ctx, src.ID)
		if s.State == "s1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("crawl did not record its state")
		}
		time.Sleep(20 * time.Millisecond)
	}
	wantError(t, e.do(http.MethodPost, "/v1/sources/nope/run", adminKey, "", nil), 404, typeNotFound)
}

func TestServiceEndpoints(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		if r := e.do(http.MethodGet, p, "", "", nil); r.status != 200 {
			t.Fatalf("%s: %d", p, r.status)
		}
	}
	wantError(t, e.do(http.MethodGet, "/v1/nothing", adminKey, "", nil), 404, typeNotFound)

	// Redis down: readyz and every call that needs it say unavailable.
	cfg := redisq.DefaultConfig()
	cfg.URL = "redis://127.0.0.1:1/0"
	dead, _ := redisq.New(cfg)
	defer dead.Close()
	d := newEnvWith(t, dead)
	wantError(t, d.do(http.MethodGet, "/readyz", "", "", nil), 503, typeUnavailable)
	wantError(t, d.do(http.MethodGet, "/v1/brands", adminKey, "", nil), 503, typeUnavailable)
	if r := d.do(http.MethodGet, "/healthz", "", "", nil); r.status != 200 {
		t.Fatalf("healthz with Redis down: %d", r.status)
	}
}
