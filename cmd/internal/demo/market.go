package demo

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Market serves the demo listings the way the real platforms do: eBay's
// OAuth token endpoint and Browse API item search, Mastodon's hashtag
// timeline, the images, and an HTML page per listing.
type Market struct {
	data    Data
	baseURL string
	ebay    []Listing // newest first
	masto   []Listing // newest first
	media   map[string]bool
	now     func() time.Time

	mu     sync.Mutex
	tokens map[string]time.Time // access token -> expiry
}

// Token lifetime of eBay's client-credentials grant.
const tokenTTL = 7200 * time.Second

// NewMarket loads the demo data of dataDir. baseURL is the market's public
// address (scheme and host), used in the URLs it hands out; when empty, the
// address each request came in on is used.
func NewMarket(dataDir string, baseURL string) (*Market, error) {
	d, err := Load(dataDir)
	if err != nil {
		return nil, err
	}
	if baseURL != "" {
		u, err := url.Parse(baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("demo: bad base URL %q", baseURL)
		}
	}
	m := &Market{data: d, baseURL: strings.TrimRight(baseURL, "/"), media: make(map[string]bool),
		now: time.Now, tokens: make(map[string]time.Time)}
	m.ebay, m.masto = d.platform("ebay"), d.platform("mastodon")
	for _, l := range d.Listings {
		for _, img := range l.Images {
			m.media[img] = true
		}
	}
	return m, nil
}

// Handler returns the market's routes.
func (m *Market) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /identity/v1/oauth2/token", m.ebayToken)
	mux.HandleFunc("GET /buy/browse/v1/item_summary/search", m.ebaySearch)
	mux.HandleFunc("GET /itm/{id}", m.ebayPage)
	mux.HandleFunc("GET /api/v1/timelines/tag/{hashtag}", m.mastodonTag)
	mux.HandleFunc("GET /{handle}/{id}", m.mastodonPage)
	mux.HandleFunc("GET /users/{user}/statuses/{id}", m.mastodonPage)
	mux.HandleFunc("GET /media/{file}", m.serveMedia)
	mux.HandleFunc("GET /{$}", m.index)
	return mux
}

func (m *Market) base(r *http.Request) string {
	if m.baseURL != "" {
		return m.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (m *Market) mediaURL(r *http.Request, file string) string {
	return m.base(r) + "/media/" + url.PathEscape(file)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// GET /media/{file}: the listing photos.
func (m *Market) serveMedia(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	if !m.media[file] {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(filepath.Join(m.data.Dir, "media", file))
	if err != nil {
		http.Error(w, "cannot read image", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, "cannot read image", http.StatusInternalServerError)
		return
	}
	ct := "application/octet-stream"
	switch strings.ToLower(filepath.Ext(file)) {
	case ".jpg", ".jpeg":
		ct = "image/jpeg"
	case ".png":
		ct = "image/png"
	case ".webp":
		ct = "image/webp"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, file, st.ModTime(), f)
}

// newToken mints an opaque access token.
func (m *Market) newToken() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := "v^1.1#i^1#demo#" + hex.EncodeToString(b[:])
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for t, exp := range m.tokens { // forget expired tokens
		if now.After(exp) {
			delete(m.tokens, t)
		}
	}
	m.tokens[tok] = now.Add(tokenTTL)
	return tok, nil
}

func (m *Market) validToken(tok string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.tokens[tok]
	return ok && m.now().Before(exp)
}

// sellerStats makes up stable feedback figures for a seller name.
func sellerStats(name string) (percent string, score int) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	v := h.Sum32()
	return strconv.FormatFloat(95+float64(v%50)/10, 'f', 1, 64), int(v>>8) % 5000
}

// legacyID is the numeric item id inside a Browse API item id "v1|N|0".
func legacyID(itemID string) string {
	parts := strings.Split(itemID, "|")
	if len(parts) == 3 {
		return parts[1]
	}
	return itemID
}

// mastodonHTML renders a post body the way Mastodon does: paragraphs,
// hashtags as links.
func mastodonHTML(base string, l Listing) string {
	var b strings.Builder
	b.WriteString("<p>" + html.EscapeString(l.Title) + "</p><p>" + html.EscapeString(l.Desc))
	// A seller writes the price in the text, once.
	if p := strconv.FormatFloat(l.Price, 'f', -1, 64); l.Price > 0 && !strings.Contains(l.Title+" "+l.Desc, p) {
		b.WriteString("<br />" + html.EscapeString(p+" "+l.Currency))
	}
	for _, t := range l.Tags {
		fmt.Fprintf(&b, ` <a href="%s/tags/%s" class="mention hashtag" rel="tag">#<span>%s</span></a>`,
			base, url.PathEscape(t), html.EscapeString(t))
	}
	b.WriteString("</p>")
	return b.String()
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}img{max-width:100%;margin:.5rem 0}
.meta{color:#555}li{margin:.3rem 0}</style></head>
<body>{{if .Items}}<h1>counterlens demo market</h1>
<p class="meta">Made-up offers on real photos. APIs: <code>POST /identity/v1/oauth2/token</code>,
<code>GET /buy/browse/v1/item_summary/search?q={{.Term}}</code>, <code>GET /api/v1/timelines/tag/{{.Term}}</code>.</p>
<ul>{{range .Items}}<li>[{{.Platform}}] <a href="{{.URL}}">{{.Title}}</a> by {{.Seller}}</li>{{end}}</ul>
{{else}}<p class="meta">{{.Platform}} · seller <b>{{.Seller}}</b> · {{.Posted}}</p>
<h1>{{.Title}}</h1>{{if .Price}}<p><b>{{.Price}}</b></p>{{end}}<p>{{.Desc}}</p>
{{range .Images}}<img src="{{.}}" alt="listing photo">{{end}}{{end}}
</body></html>`))

type pageData struct {
	Title, Desc, Price, Seller, Platform, Posted, URL, Term string
	Images                                                  []string
	Items                                                   []pageData
}

func (m *Market) page(r *http.Request, l Listing) pageData {
	p := pageData{Title: l.Title, Desc: l.Desc, Seller: l.Seller, Platform: l.Platform,
		Posted: l.posted.Format("2 Jan 2006 15:04 MST"), URL: m.itemURL(r, l)}
	if l.Price > 0 {
		p.Price = strconv.FormatFloat(l.Price, 'f', 2, 64) + " " + l.Currency
	}
	for _, img := range l.Images {
		p.Images = append(p.Images, m.mediaURL(r, img))
	}
	return p
}

func (m *Market) itemURL(r *http.Request, l Listing) string {
	if l.Platform == "ebay" {
		return m.base(r) + "/itm/" + legacyID(l.ExternalID)
	}
	return m.base(r) + "/@" + l.Seller + "/" + l.ExternalID
}

func renderPage(w http.ResponseWriter, p pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, p)
}

// GET /: every demo listing, linked.
func (m *Market) index(w http.ResponseWriter, r *http.Request) {
	p := pageData{Title: "counterlens demo market", Term: SearchTerm}
	for _, l := range append(append([]Listing(nil), m.ebay...), m.masto...) {
		p.Items = append(p.Items, m.page(r, l))
	}
	renderPage(w, p)
}

// GET /itm/{id}: an eBay item page.
func (m *Market) ebayPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, l := range m.ebay {
		if legacyID(l.ExternalID) == id {
			renderPage(w, m.page(r, l))
			return
		}
	}
	http.NotFound(w, r)
}

// GET /@{user}/{id} and /users/{user}/statuses/{id}: a Mastodon post page.
func (m *Market) mastodonPage(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	if h := r.PathValue("handle"); h != "" {
		var ok bool
		if user, ok = strings.CutPrefix(h, "@"); !ok {
			http.NotFound(w, r)
			return
		}
	}
	for _, l := range m.masto {
		if l.ExternalID == r.PathValue("id") && l.Seller == user {
			renderPage(w, m.page(r, l))
			return
		}
	}
	http.NotFound(w, r)
}
