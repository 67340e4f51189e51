package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gin-gonic/gin"

	"counterlens/ingest/evidence"
	"counterlens/ingest/redisq"
	"counterlens/ingest/redisq/redistest"
	"counterlens/models"
)

func init() {
	for _, t := range []string{"text/html", "text/css", "text/javascript"} {
		openapi3filter.RegisterBodyDecoder(t, openapi3filter.PlainBodyDecoder)
	}
	for _, t := range []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"} {
		openapi3filter.RegisterBodyDecoder(t, openapi3filter.FileBodyDecoder)
	}
}

func loadDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapiDoc)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

// testServer is [newTestServer] on store with the given analyzer and blob
// store, then opts.
func testServer(t *testing.T, store *redisq.Store, an Analyzer, blobs BlobReader, opts ...func(*Server)) (http.Handler, *env) {
	t.Helper()
	return newTestServer(t, store, append([]func(*Server){func(s *Server) { s.Analyzer, s.Blobs = an, blobs }}, opts...)...)
}

func newStore(t *testing.T, url string) *redisq.Store {
	t.Helper()
	cfg := redisq.DefaultConfig()
	cfg.URL = url
	store, err := redisq.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadDoc(t)
	h, _ := testServer(t, newStore(t, redistest.URL(t)), &fakeAnalyzer{}, nil)
	r, ok := h.(*gin.Engine)
	if !ok {
		t.Fatal("Handler is not a gin engine")
	}
	for _, rt := range r.Routes() {
		path := ginParam.ReplaceAllString(rt.Path, "{$1}")
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(rt.Method) == nil {
			t.Errorf("route %s %s is not in openapi.json (as %s)", rt.Method, rt.Path, path)
		}
	}
	// And the other way round: nothing documented that is not served.
	served := map[string]bool{}
	for _, rt := range r.Routes() {
		served[rt.Method+" "+regexp.MustCompile(`:([A-Za-z_]+)`).ReplaceAllString(rt.Path, "{$1}")] = true
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if !served[method+" "+strings.Replace(path, "/ui/{file}", "/ui/*file", 1)] {
				t.Errorf("openapi.json documents %s %s, which is not served", method, path)
			}
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	_, e := testServer(t, newStore(t, redistest.URL(t)), &fakeAnalyzer{}, nil)
	r := e.do(http.MethodGet, "/openapi.json", "", "", nil)
	if r.status != 200 || !bytes.Equal(r.body, openapiDoc) {
		t.Fatalf("GET /openapi.json: %d", r.status)
	}
}

// validator sends requests to the real API and checks every answer against
// openapi.json with kin-openapi.
type validator struct {
	t      *testing.T
	e      *env
	router routers.Router
	// errTypes are the error types seen in answers.
	errTypes map[string]bool
}

func newValidator(t *testing.T, doc *openapi3.T, e *env) *validator {
	t.Helper()
	d := *doc
	d.Servers = openapi3.Servers{{URL: e.srv.URL}}
	router, err := gorillamux.NewRouter(&d)
	if err != nil {
		t.Fatal(err)
	}
	return &validator{t: t, e: e, router: router, errTypes: map[string]bool{}}
}

// call makes a request, validates request (when it succeeded) and answer,
// and checks the status.
func (v *validator) call(method, path, key, contentType string, body []byte, want int) resp {
	v.t.Helper()
	newReq := func() *http.Request {
		return newRequest(v.t, method, v.e.srv.URL+path, key, contentType, bytes.NewReader(body))
	}
	res, err := http.DefaultClient.Do(newReq())
	if err != nil {
		v.t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		v.t.Fatalf("%s %s: status %d, want %d: %.300s", method, path, res.StatusCode, want, got)
	}
	req := newReq()
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		v.t.Fatalf("%s %s is not in openapi.json: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if want < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			v.t.Errorf("%s %s: request does not match openapi.json: %v", method, path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(got)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.t.Errorf("%s %s -> %d: answer does not match openapi.json: %v\n%.500s", method, path, res.StatusCode, err, got)
	}
	r := resp{status: res.StatusCode, body: got}
	if res.StatusCode >= 400 {
		var eb errorBody
		r.json(v.t, &eb)
		v.errTypes[eb.Error.Type] = true
	}
	return r
}

func (v *validator) json(method, path, key string, body string, want int) resp {
	v.t.Helper()
	return v.call(method, path, key, "application/json", []byte(body), want)
}

func (v *validator) form(path, key string, files [][]byte, fields map[string]string, want int) resp {
	v.t.Helper()
	ct, body := imagesForm(files, fields)
	return v.call(http.MethodPost, path, key, ct, body, want)
}

type failingAnalyzer struct{}

func (failingAnalyzer) Analyze(context.Context, models.Listing, [][]byte, bool) (models.Analysis, error) {
	return models.Analysis{}, errors.New("engine exploded")
}

// TestOpenAPIResponses drives every route of the real handlers, on success
// and on each error, and validates each answer against openapi.json.
func TestOpenAPIResponses(t *testing.T) {
	doc := loadDoc(t)
	ctx := context.Background()
	store := newStore(t, redistest.URL(t))
	blobs, err := evidence.NewBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, e := testServer(t, store, &fakeAnalyzer{}, blobs)
	v := newValidator(t, doc, e)
	get := func(path, key string, want int) resp {
		t.Helper()
		return v.call(http.MethodGet, path, key, "", nil, want)
	}

	get("/healthz", "", 200)
	get("/readyz", "", 200)
	get("/metrics", "", 200)
	get("/openapi.json", "", 200)
	get("/", "", 200)
	get("/ui/app.js", "", 200)
	get("/ui/app.css", "", 200)
	get("/ui/nope.js", "", 404)

	// Keys.
	get("/v1/brands", "", 401)
	get("/v1/brands", "wrong-key", 401)
	r := v.json(http.MethodPost, "/v1/keys", adminKey, `{"name":"mon","role":"monitor"}`, 201)
	var mon createKeyResponse
	r.json(t, &mon)
	v.json(http.MethodPost, "/v1/keys", adminKey, `{"name":"x","role":"root"}`, 400)
	v.json(http.MethodPost, "/v1/keys", mon.Key, `{"name":"x","role":"admin"}`, 403)
	tmp := e.createKey(models.RoleMonitor)
	_ = tmp
	r = v.json(http.MethodPost, "/v1/keys", adminKey, `{"name":"tmp","role":"monitor"}`, 201)
	var tk createKeyResponse
	r.json(t, &tk)
	v.call(http.MethodDelete, "/v1/keys/"+tk.ID, adminKey, "", nil, 204)
	v.call(http.MethodDelete, "/v1/keys/"+tk.ID, adminKey, "", nil, 404)

	// Brands and logos.
	r = v.json(http.MethodPost, "/v1/brands", adminKey, `{"name":"Nike","aliases":["swoosh"],"min_price":{"amount":60,"currency":"EUR"},"authorized_sellers":["nike-official"]}`, 201)
	var nike models.Brand
	r.json(t, &nike)
	v.json(http.MethodPost, "/v1/brands", adminKey, `{"name":"NIKE"}`, 409)
	v.json(http.MethodPost, "/v1/brands", adminKey, `{"name":`, 400)
	v.json(http.MethodPost, "/v1/brands", mon.Key, `{"name":"X"}`, 403)
	v.json(http.MethodPost, "/v1/brands", adminKey, `{"name":"`+strings.Repeat("a", 2<<20)+`"}`, 413)
	get("/v1/brands", adminKey, 200)
	get("/v1/brands/"+nike.ID, adminKey, 200)
	get("/v1/brands/nope", adminKey, 404)
	logo := pngBytes(t, 64, 48)
	r = v.form("/v1/brands/"+nike.ID+"/logos", adminKey, [][]byte{logo}, nil, 201)
	var l models.Logo
	r.json(t, &l)
	v.form("/v1/brands/"+nike.ID+"/logos", adminKey, [][]byte{[]byte("plain text, no picture")}, nil, 415)
	v.form("/v1/brands/"+nike.ID+"/logos", adminKey, [][]byte{pngBomb()}, nil, 422)
	v.form("/v1/brands/"+nike.ID+"/logos", adminKey, [][]byte{bytes.Repeat([]byte{0}, 300<<10)}, nil, 413)
	v.form("/v1/brands/"+nike.ID+"/logos", mon.Key, [][]byte{logo}, nil, 403)
	get("/v1/brands/"+nike.ID+"/logos", adminKey, 200)
	v.call(http.MethodDelete, "/v1/brands/"+nike.ID+"/logos/"+l.ID, adminKey, "", nil, 204)
	v.call(http.MethodDelete, "/v1/brands/"+nike.ID+"/logos/"+l.ID, adminKey, "", nil, 404)

	// Analyse now.
	img := pngBytes(t, 40, 30)
	v.form("/v1/analyze", adminKey, [][]byte{img, img}, map[string]string{"title": "replica", "price": "19.99", "currency": "EUR"}, 200)
	v.form("/v1/analyze", adminKey, [][]byte{img}, map[string]string{"price": "cheap"}, 400)

	// Listings, images and suspicions.
	r = v.json(http.MethodPost, "/v1/listings", adminKey, `{"platform":"ebay","external_id":"1","url":"https://market.example/itm/1",
		"title":"sneakers","price":19.99,"currency":"EUR","seller":"s1","image_urls":["https://market.example/1.png"]}`, 202)
	var sub submitResponse
	r.json(t, &sub)
	v.json(http.MethodPost, "/v1/listings", adminKey, `{"image_urls":["file:///etc/passwd"]}`, 400)
	get("/v1/listings/"+sub.ListingID, adminKey, 200)
	get("/v1/listings/"+sub.ListingID+"/images/0", adminKey, 404)
	get("/v1/listings/nope", adminKey, 404)
	finishWithImage(t, store, blobs, sub.ListingID, nike, img)
	net := linkNetwork(t, store, sub.ListingID)
	get("/v1/listings/"+sub.ListingID, mon.Key, 200)
	get("/v1/listings/"+sub.ListingID+"/images/0", mon.Key, 200)
	get("/v1/listings/"+sub.ListingID+"/images/x", mon.Key, 400)
	get("/v1/listings/"+sub.ListingID+"/images/7", mon.Key, 404)
	get("/v1/suspicions", adminKey, 200)
	get("/v1/suspicions?min_score=0.5&platform=ebay&brand_id="+nike.ID+"&limit=10", mon.Key, 200)
	get("/v1/suspicions?limit=0", adminKey, 400)
	get("/v1/networks/"+net, mon.Key, 200)
	get("/v1/networks/nope", adminKey, 404)
	get("/v1/networks/"+strings.Repeat("n", 101), adminKey, 400)
	other := e.createKey(models.RoleRightsHolder, e.createBrand("Puma").ID)
	get("/v1/networks/"+net, other, 404)
	get("/v1/suspicions?brand_id="+nike.ID, other, 403)
	get("/v1/listings/"+sub.ListingID+"/images/0", other, 404)
	if err := ctx.Err(); err != nil {
		t.Fatal(err)
	}

	// Sources.
	r = v.json(http.MethodPost, "/v1/sources", adminKey, `{"type":"ebay","url":"https://market.example/","query":"sneakers","interval":"15m"}`, 201)
	var src models.Source
	r.json(t, &src)
	v.json(http.MethodPost, "/v1/sources", adminKey, `{"type":"myspace","url":"https://x"}`, 400)
	v.json(http.MethodPost, "/v1/sources", other, `{"type":"ebay","url":"https://x"}`, 403)
	get("/v1/sources", adminKey, 200)
	get("/v1/sources/"+src.ID, adminKey, 200)
	get("/v1/sources/nope", adminKey, 404)
	v.call(http.MethodPost, "/v1/sources/"+src.ID+"/run", adminKey, "", nil, 202)
	v.call(http.MethodPost, "/v1/sources/nope/run", adminKey, "", nil, 404)

	// A bug in the engine: 500 internal, with no cause sent.
	_, fe := testServer(t, store, failingAnalyzer{}, blobs)
	fv := newValidator(t, doc, fe)
	r = fv.form("/v1/analyze", adminKey, [][]byte{img}, nil, 500)
	if strings.Contains(string(r.body), "exploded") {
		t.Errorf("the cause of a 500 reached the client: %s", r.body)
	}
	// Redis down: 503 unavailable.
	_, de := testServer(t, newStore(t, "redis://127.0.0.1:1/0"), &fakeAnalyzer{}, blobs)
	dv := newValidator(t, doc, de)
	dv.call(http.MethodGet, "/readyz", "", "", nil, 503)
	dv.call(http.MethodGet, "/v1/brands", adminKey, "", nil, 503)

	for k := range fv.errTypes {
		v.errTypes[k] = true
	}
	for k := range dv.errTypes {
		v.errTypes[k] = true
	}
	// rate_limited has no limiter to trigger yet; canceled (499) never
	// reaches a client.
	for _, typ := range []string{typeBadData, typeUnauthenticated, typeForbidden, typeNotFound, typeConflict,
		typeTooLarge, typeUnsupportedMedia, typeUndecodable, typeUnavailable, typeInternal} {
		if !v.errTypes[typ] {
			t.Errorf("error type %s was not validated", typ)
		}
	}
	var seen []string
	for k := range v.errTypes {
		seen = append(seen, k)
	}
	slices.Sort(seen)
	t.Logf("validated error types: %v", seen)
}

// finishWithImage stores img as the captured image 0 of listing id and
// records an analysis that found brand b's logo in it.
func finishWithImage(t *testing.T, store *redisq.Store, blobs *evidence.Blobs, id string, b models.Brand, img []byte) models.Listing {
	t.Helper()
	ctx := context.Background()
	sum, err := blobs.Put(img)
	if err != nil {
		t.Fatal(err)
	}
	l, err := store.Listing(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := imageConfig(img)
	if err != nil {
		t.Fatal(err)
	}
	zero := 0
	l.Status = models.StatusAnalyzed
	l.Evidence = []models.Evidence{{SHA256: sum, URL: "https://market.example/1.png", HTTPStatus: 200, ContentType: "image/png", Size: int64(len(img))}}
	l.Analysis = &models.Analysis{Score: 0.91, Reasons: []string{"Nike logo in photo 1"},
		Brands: []models.BrandHit{{BrandID: b.ID, Name: b.Name, Confidence: 0.95}},
		Signals: []models.Signal{
			{Type: models.SignalLogo, BrandID: b.ID, Confidence: 0.95, ImageIndex: &zero, Method: "features",
				BBox: &models.BBox{X: cfg.Width / 4, Y: cfg.Height / 4, W: cfg.Width / 2, H: cfg.Height / 3}, Reason: "Nike logo found in photo 1"},
			{Type: models.SignalRiskTerm, Value: "replica", Source: models.SourceListingText, Confidence: 0.9, Reason: "the title says replica"},
		},
		Images: []models.ImageReport{{Index: 0, SHA256: sum, PHash: "0123456789abcdef", Width: cfg.Width, Height: cfg.Height, Text: ""}},
	}
	if err := store.FinishListing(ctx, l, nil); err != nil {
		t.Fatal(err)
	}
	return l
}
