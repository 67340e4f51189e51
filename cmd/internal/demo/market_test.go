package demo

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const dataDir = "../../../testdata/demo"

func newMarketServer(t *testing.T) (*Market, *httptest.Server) {
	t.Helper()
	m, err := NewMarket(dataDir, "")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	return m, srv
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func get(t *testing.T, u string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return do(t, req)
}

func ebayToken(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/identity/v1/oauth2/token",
		strings.NewReader("grant_type=client_credentials&scope=https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-client", "demo-secret")
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.ExpiresIn != 7200 || tok.TokenType != "Application Access Token" {
		t.Fatalf("token answer %s", body)
	}
	return tok.AccessToken
}

func TestEbayToken(t *testing.T) {
	_, srv := newMarketServer(t)
	cases := map[string]struct {
		body       string
		id, secret string
		want       int
	}{
		"no credentials": {body: "grant_type=client_credentials", want: http.StatusUnauthorized},
		"empty secret":   {body: "grant_type=client_credentials", id: "x", want: http.StatusUnauthorized},
		"wrong grant":    {body: "grant_type=password", id: "x", secret: "y", want: http.StatusBadRequest},
		"client grant":   {body: "grant_type=client_credentials", id: "x", secret: "y", want: http.StatusOK},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/identity/v1/oauth2/token", strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.id != "" {
				req.SetBasicAuth(c.id, c.secret)
			}
			resp, body := do(t, req)
			if resp.StatusCode != c.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.want, body)
			}
		})
	}
}

type searchPage struct {
	Href          string `json:"href"`
	Total         int    `json:"total"`
	Next          string `json:"next"`
	Limit         int    `json:"limit"`
	Offset        int    `json:"offset"`
	ItemSummaries []struct {
		ItemID string `json:"itemId"`
		Title  string `json:"title"`
		Price  struct {
			Value    string `json:"value"`
			Currency string `json:"currency"`
		} `json:"price"`
		Image struct {
			ImageURL string `json:"imageUrl"`
		} `json:"image"`
		AdditionalImages []struct {
			ImageURL string `json:"imageUrl"`
		} `json:"additionalImages"`
		ItemWebURL string `json:"itemWebUrl"`
		Seller     struct {
			Username           string `json:"username"`
			FeedbackPercentage string `json:"feedbackPercentage"`
			FeedbackScore      int    `json:"feedbackScore"`
		} `json:"seller"`
	} `json:"itemSummaries"`
}

func TestEbaySearchPaginates(t *testing.T) {
	m, srv := newMarketServer(t)
	tok := ebayToken(t, srv.URL)

	if resp, body := get(t, srv.URL+"/buy/browse/v1/item_summary/search?q=deals"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"errorId":1001`) {
		t.Fatalf("no token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, srv.URL+"/buy/browse/v1/item_summary/search?q=deals", "Authorization", "Bearer forged"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged token: %d", resp.StatusCode)
	}
	for _, bad := range []string{"q=", "q=deals&limit=0", "q=deals&limit=201", "q=deals&offset=-1", "q=deals&limit=x", "q=deals&sort=price"} {
		if resp, _ := get(t, srv.URL+"/buy/browse/v1/item_summary/search?"+bad, "Authorization", "Bearer "+tok); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, resp.StatusCode)
		}
	}

	var ids []string
	pages := 0
	next := srv.URL + "/buy/browse/v1/item_summary/search?q=" + SearchTerm + "&limit=3&sort=newlyListed"
	for next != "" {
		pages++
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		resp, body := get(t, next, "Authorization", "Bearer "+tok)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("search: %d %s", resp.StatusCode, body)
		}
		var p searchPage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Total != len(m.ebay) || p.Limit != 3 || p.Offset != (pages-1)*3 {
			t.Fatalf("page %d: total %d limit %d offset %d", pages, p.Total, p.Limit, p.Offset)
		}
		for _, it := range p.ItemSummaries {
			ids = append(ids, it.ItemID)
			if _, err := strconv.ParseFloat(it.Price.Value, 64); err != nil || it.Price.Currency != "EUR" {
				t.Errorf("%s: price %+v", it.ItemID, it.Price)
			}
			if it.Seller.Username == "" || it.Seller.FeedbackPercentage == "" || it.ItemWebURL == "" {
				t.Errorf("%s: missing seller or url", it.ItemID)
			}
		}
		next = p.Next
	}
	want := make([]string, 0, len(m.ebay))
	for _, l := range m.ebay {
		want = append(want, l.ExternalID)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("crawled %v, want %v (newest first)", ids, want)
	}
	if pages != (len(want)+2)/3 {
		t.Errorf("%d pages for %d items", pages, len(want))
	}

	resp, body := get(t, srv.URL+"/buy/browse/v1/item_summary/search?q=nothing+like+this", "Authorization", "Bearer "+tok)
	var empty searchPage
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &empty) != nil || empty.Total != 0 || len(empty.ItemSummaries) != 0 || empty.Next != "" {
		t.Fatalf("no hit: %d %s", resp.StatusCode, body)
	}
}

func TestEbayItemsResolve(t *testing.T) {
	_, srv := newMarketServer(t)
	tok := ebayToken(t, srv.URL)
	_, body := get(t, srv.URL+"/buy/browse/v1/item_summary/search?q=black+sneakers", "Authorization", "Bearer "+tok)
	var p searchPage
	if err := json.Unmarshal(body, &p); err != nil || len(p.ItemSummaries) != 1 {
		t.Fatalf("search black sneakers: %s", body)
	}
	it := p.ItemSummaries[0]
	if len(it.AdditionalImages) != 1 {
		t.Fatalf("additional images %+v", it.AdditionalImages)
	}
	for _, u := range []string{it.Image.ImageURL, it.AdditionalImages[0].ImageURL} {
		resp, img := get(t, u)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" || len(img) < 1000 || img[0] != 0xFF || img[1] != 0xD8 {
			t.Errorf("%s: %d %s, %d bytes", u, resp.StatusCode, resp.Header.Get("Content-Type"), len(img))
		}
	}
	resp, page := get(t, it.ItemWebURL)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), it.Title) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("item page %s: %d", it.ItemWebURL, resp.StatusCode)
	}
}

type status struct {
	ID        string `json:"id"`
	CreatedAt string `json:"created_at"`
	URL       string `json:"url"`
	URI       string `json:"uri"`
	Content   string `json:"content"`
	Account   struct {
		ID, Username, Acct, URL string
	} `json:"account"`
	MediaAttachments []struct {
		ID, Type, URL string
		PreviewURL    string `json:"preview_url"`
	} `json:"media_attachments"`
	Tags []struct{ Name, URL string } `json:"tags"`
}

var linkRE = regexp.MustCompile(`<([^>]+)>;\s*rel="(\w+)"`)

func links(h http.Header) map[string]string {
	out := map[string]string{}
	for _, m := range linkRE.FindAllStringSubmatch(h.Get("Link"), -1) {
		out[m[2]] = m[1]
	}
	return out
}

func timeline(t *testing.T, u string) ([]status, map[string]string) {
	t.Helper()
	resp, body := get(t, u)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", u, resp.StatusCode, body)
	}
	var ss []status
	if err := json.Unmarshal(body, &ss); err != nil {
		t.Fatal(err)
	}
	return ss, links(resp.Header)
}

func TestMastodonTagTimeline(t *testing.T) {
	m, srv := newMarketServer(t)
	var want []string
	for _, l := range m.masto {
		want = append(want, l.ExternalID)
	}

	var ids []string
	next := srv.URL + "/api/v1/timelines/tag/" + SearchTerm + "?limit=3"
	for range 10 {
		ss, ln := timeline(t, next)
		if len(ss) == 0 {
			if ln["next"] != "" {
				t.Error("Link header on an empty page")
			}
			break
		}
		if ln["next"] == "" || ln["prev"] == "" {
			t.Fatalf("Link header %v", ln)
		}
		for _, s := range ss {
			ids = append(ids, s.ID)
			if s.Account.Acct == "" || len(s.MediaAttachments) == 0 || s.MediaAttachments[0].Type != "image" || !strings.Contains(s.Content, "<p>") {
				t.Errorf("status %s incomplete: %+v", s.ID, s)
			}
		}
		next = ln["next"]
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("crawled %v, want %v", ids, want)
	}

	// since_id: only newer; min_id: the page right after it, newest first.
	ss, _ := timeline(t, srv.URL+"/api/v1/timelines/tag/"+SearchTerm+"?since_id="+want[2])
	if got := statusIDs(ss); !slices.Equal(got, want[:2]) {
		t.Errorf("since_id: %v, want %v", got, want[:2])
	}
	ss, ln := timeline(t, srv.URL+"/api/v1/timelines/tag/"+SearchTerm+"?limit=2&min_id="+want[5])
	if got := statusIDs(ss); !slices.Equal(got, want[3:5]) {
		t.Errorf("min_id: %v, want %v", got, want[3:5])
	}
	if u, _ := url.Parse(ln["prev"]); u == nil || u.Query().Get("min_id") != want[3] {
		t.Errorf("prev link %q", ln["prev"])
	}
	if ss, _ := timeline(t, srv.URL+"/api/v1/timelines/tag/nosuchtag"); len(ss) != 0 {
		t.Errorf("unknown tag: %d statuses", len(ss))
	}
	if resp, _ := get(t, srv.URL+"/api/v1/timelines/tag/deals?max_id=abc"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad max_id: %d", resp.StatusCode)
	}

	// The status and account pages and the media resolve.
	ss, _ = timeline(t, srv.URL+"/api/v1/timelines/tag/"+SearchTerm+"?limit=1")
	for _, u := range []string{ss[0].URL, ss[0].URI, ss[0].MediaAttachments[0].URL} {
		if resp, _ := get(t, u); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", u, resp.StatusCode)
		}
	}
}

func statusIDs(ss []status) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}

func TestMarketRefusesUnknownPaths(t *testing.T) {
	_, srv := newMarketServer(t)
	for _, p := range []string{"/media/..%2Fbrands.json", "/media/brands.json", "/media/nope.jpg", "/itm/1", "/nobody/1", "/@nobody/1"} {
		if resp, _ := get(t, srv.URL+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, body := get(t, srv.URL+"/"); resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "/itm/") {
		t.Errorf("index: %d", resp.StatusCode)
	}
}

func TestNewMarketErrors(t *testing.T) {
	if _, err := NewMarket(t.TempDir(), ""); err == nil {
		t.Error("empty folder accepted")
	}
	if _, err := NewMarket(dataDir, "ftp://x"); err == nil {
		t.Error("bad base URL accepted")
	}
	m, err := NewMarket(dataDir, "http://demo.example:8081/")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	ss, _ := timeline(t, srv.URL+"/api/v1/timelines/tag/"+SearchTerm+"?limit=1")
	if len(ss) != 1 || !strings.HasPrefix(ss[0].URL, "http://demo.example:8081/@") {
		t.Errorf("base URL not used: %+v", ss)
	}
}
