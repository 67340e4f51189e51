package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI implements the routes of ../shared/API.md that Seed uses. A run
// of a source "analyses" the market's listings of that platform: the fake
// crawls the real demo market with the real connectors would be the
// integration test; here it takes them from the data folder.
type fakeAPI struct {
	t       *testing.T
	key     string
	data    Data
	market  string
	analyse bool // whether runs produce suspicions

	mu          sync.Mutex
	brands      []map[string]any
	logos       map[string]int // brand id -> count
	sources     []map[string]any
	suspicions  []suspicion
	brandPosts  int
	sourcePosts int
	runs        int
}

func newFakeAPI(t *testing.T, market string) (*fakeAPI, *httptest.Server) {
	data, err := Load(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeAPI{t: t, key: "admin-key", data: data, market: market, analyse: true, logos: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/brands", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, 200, map[string]any{"items": f.brands})
	})
	mux.HandleFunc("POST /v1/brands", func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b["name"] == "" || r.Header.Get("Content-Type") != "application/json" {
			apiError(w, 400, "bad_data", "name is required")
			return
		}
		if _, ok := b["min_price"].(map[string]any); !ok {
			t.Errorf("brand %v without min_price", b["name"])
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.brandPosts++
		b["id"] = fmt.Sprintf("b%d", len(f.brands)+1)
		f.brands = append(f.brands, b)
		writeJSON(w, 201, b)
	})
	mux.HandleFunc("GET /v1/brands/{id}/logos", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		items := []map[string]string{}
		for range f.logos[r.PathValue("id")] {
			items = append(items, map[string]string{"id": "l"})
		}
		writeJSON(w, 200, map[string]any{"items": items})
	})
	mux.HandleFunc("POST /v1/brands/{id}/logos", func(w http.ResponseWriter, r *http.Request) {
		file, hdr, err := r.FormFile("image")
		if err != nil {
			apiError(w, 400, "bad_data", "field image is required")
			return
		}
		defer file.Close()
		if _, err := png.Decode(file); err != nil || hdr.Header.Get("Content-Type") != "image/png" {
			apiError(w, 415, "unsupported_media", "not a PNG")
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.logos[r.PathValue("id")]++
		writeJSON(w, 201, map[string]string{"id": "l1", "brand_id": r.PathValue("id"), "sha256": "x", "phash": "0000000000000000"})
	})
	mux.HandleFunc("GET /v1/sources", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, 200, map[string]any{"items": f.sources})
	})
	mux.HandleFunc("POST /v1/sources", func(w http.ResponseWriter, r *http.Request) {
		var s map[string]any
		if err := json.NewDecoder(r.Body).Decode(&s); err != nil || s["url"] != market || s["query"] != SearchTerm {
			apiError(w, 400, "bad_data", "bad source")
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.sourcePosts++
		s["id"] = fmt.Sprintf("s%d", len(f.sources)+1)
		f.sources = append(f.sources, s)
		writeJSON(w, 201, s)
	})
	mux.HandleFunc("POST /v1/sources/{id}/run", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		var typ string
		for _, s := range f.sources {
			if s["id"] == r.PathValue("id") {
				typ = s["type"].(string)
			}
		}
		if typ == "" {
			apiError(w, 404, "not_found", "no such source")
			return
		}
		f.runs++
		if f.analyse {
			f.addSuspicions(typ)
		}
		writeJSON(w, 202, map[string]string{"run_id": "r1"})
	})
	mux.HandleFunc("GET /v1/suspicions", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		items := append([]suspicion(nil), f.suspicions...)
		sort.SliceStable(items, func(i, j int) bool { return items[i].Score > items[j].Score })
		writeJSON(w, 200, map[string]any{"items": items, "next_cursor": ""})
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+f.key {
			apiError(w, 401, "unauthenticated", "unknown API key")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"type": typ, "message": msg, "request_id": "x"}})
}

// addSuspicions puts the listings of one platform in the ranked list, once.
func (f *fakeAPI) addSuspicions(platform string) {
	for i, l := range f.data.Listings {
		if l.Platform != platform {
			continue
		}
		u := fmt.Sprintf("%s/item/%d", f.market, i)
		dup := false
		for _, s := range f.suspicions {
			dup = dup || s.URL == u
		}
		if dup {
			continue
		}
		s := suspicion{ListingID: fmt.Sprint(i), Score: 0.1, Platform: platform, URL: u, Title: l.Title}
		if l.Expect == "suspicious" {
			s.Score = 0.6 + float64(i)/100
			s.Reasons = []string{"the " + strings.Join(l.Brands, "+") + " mark is in picture 1", "price below the brand's floor"}
			for _, b := range l.Brands {
				s.Brands = append(s.Brands, struct {
					Name string `json:"name"`
				}{Name: b})
			}
		}
		f.suspicions = append(f.suspicions, s)
	}
}

func TestSeed(t *testing.T) {
	market := "http://127.0.0.1:8081"
	f, srv := newFakeAPI(t, market)
	cfg := SeedConfig{APIURL: srv.URL + "/", AdminKey: "admin-key", MarketURL: market + "/", DataDir: dataDir,
		Wait: 5 * time.Second, Top: 5, PollEvery: 10 * time.Millisecond}
	var out bytes.Buffer
	if err := Seed(context.Background(), cfg, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if f.brandPosts != len(f.data.Brands) || len(f.logos) != len(f.data.Brands) || f.sourcePosts != 2 || f.runs != 2 {
		t.Fatalf("%d brands, %d logos, %d sources, %d runs", f.brandPosts, len(f.logos), f.sourcePosts, f.runs)
	}
	text := out.String()
	t.Log(text)
	for _, want := range []string{"SCORE", "REASONS", "mark is in picture 1", "Top 5 suspicions", srv.URL + "/v1/suspicions", market + "/\n",
		fmt.Sprintf("analysed %d of %d", len(f.data.Listings), len(f.data.Listings))} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// The table lists the top 5, highest first.
	var scores []string
	for _, line := range strings.Split(text, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 3 || (fields[1] != "ebay" && fields[1] != "mastodon") {
			continue
		}
		if _, err := strconv.ParseFloat(fields[0], 64); err == nil {
			scores = append(scores, fields[0])
		}
	}
	if len(scores) != 5 || !sort.IsSorted(sort.Reverse(sort.StringSlice(scores))) {
		t.Errorf("table scores %v", scores)
	}

	// A second seeding reuses the brands, their logos and the sources.
	out.Reset()
	if err := Seed(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	for id, n := range f.logos {
		if n != 1 {
			t.Errorf("brand %s has %d logos", id, n)
		}
	}
	if f.brandPosts != len(f.data.Brands) || f.sourcePosts != 2 || f.runs != 4 {
		t.Errorf("second seed: %d brand posts, %d source posts, %d runs", f.brandPosts, f.sourcePosts, f.runs)
	}
	if !strings.Contains(out.String(), "exists") {
		t.Errorf("second seed output:\n%s", out.String())
	}
}

func TestSeedTimesOut(t *testing.T) {
	f, srv := newFakeAPI(t, "http://127.0.0.1:8081")
	f.analyse = false
	cfg := SeedConfig{APIURL: srv.URL, AdminKey: "admin-key", MarketURL: "http://127.0.0.1:8081", DataDir: dataDir,
		Wait: 200 * time.Millisecond, PollEvery: 20 * time.Millisecond}
	var out bytes.Buffer
	start := time.Now()
	err := Seed(context.Background(), cfg, &out)
	if !errors.Is(err, ErrIncomplete) {
		t.Fatalf("error %v, want ErrIncomplete", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("Seed took %s with a 200ms wait", time.Since(start))
	}
	if !strings.Contains(out.String(), "Open:") {
		t.Errorf("no URLs printed on timeout:\n%s", out.String())
	}
}

func TestSeedReportsAPIErrors(t *testing.T) {
	_, srv := newFakeAPI(t, "http://127.0.0.1:8081")
	cfg := SeedConfig{APIURL: srv.URL, AdminKey: "wrong", MarketURL: "http://127.0.0.1:8081", DataDir: dataDir, Wait: time.Second}
	err := Seed(context.Background(), cfg, &bytes.Buffer{})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Type != "unauthenticated" {
		t.Fatalf("error %v, want a 401 APIError", err)
	}
	if err := Seed(context.Background(), SeedConfig{APIURL: srv.URL}, &bytes.Buffer{}); err == nil {
		t.Error("incomplete config accepted")
	}
}
