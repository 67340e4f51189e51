package demo

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// eBay Browse API limits of item_summary/search.
const (
	ebayDefaultLimit = 50
	ebayMaxLimit     = 200
	ebayMaxOffset    = 9999
)

type ebayError struct {
	ErrorID     int    `json:"errorId"`
	Domain      string `json:"domain"`
	Category    string `json:"category"`
	Message     string `json:"message"`
	LongMessage string `json:"longMessage,omitempty"`
}

func writeEbayError(w http.ResponseWriter, status, id int, domain, msg string) {
	writeJSON(w, status, map[string][]ebayError{"errors": {{ErrorID: id, Domain: domain, Category: "REQUEST", Message: msg}}})
}

// POST /identity/v1/oauth2/token: eBay's client-credentials grant. Any
// non-empty client id and secret are accepted.
func (m *Market) ebayToken(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id == "" || secret == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="eBay"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{
			"error": "invalid_client", "error_description": "client authentication failed"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{
			"error": "invalid_request", "error_description": "request body is not a form"})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{
			"error": "unsupported_grant_type", "error_description": "grant type in request is not supported by the authorization server"})
		return
	}
	tok, err := m.newToken()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "expires_in": int(tokenTTL.Seconds()), "token_type": "Application Access Token"})
}

type ebayMoney struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

type ebayImage struct {
	ImageURL string `json:"imageUrl"`
}

type ebaySeller struct {
	Username           string `json:"username"`
	FeedbackPercentage string `json:"feedbackPercentage"`
	FeedbackScore      int    `json:"feedbackScore"`
}

type ebayItemSummary struct {
	ItemID           string      `json:"itemId"`
	LegacyItemID     string      `json:"legacyItemId"`
	Title            string      `json:"title"`
	ShortDescription string      `json:"shortDescription,omitempty"`
	Price            ebayMoney   `json:"price"`
	Image            ebayImage   `json:"image"`
	AdditionalImages []ebayImage `json:"additionalImages,omitempty"`
	ItemHref         string      `json:"itemHref"`
	ItemWebURL       string      `json:"itemWebUrl"`
	Seller           ebaySeller  `json:"seller"`
	Condition        string      `json:"condition"`
	ConditionID      string      `json:"conditionId"`
	BuyingOptions    []string    `json:"buyingOptions"`
	ItemCreationDate string      `json:"itemCreationDate"`
}

type ebaySearchPage struct {
	Href          string            `json:"href"`
	Total         int               `json:"total"`
	Next          string            `json:"next,omitempty"`
	Prev          string            `json:"prev,omitempty"`
	Limit         int               `json:"limit"`
	Offset        int               `json:"offset"`
	ItemSummaries []ebayItemSummary `json:"itemSummaries,omitempty"`
}

// GET /buy/browse/v1/item_summary/search: eBay's item search. Every word
// of q must occur in the title, description or keywords; sort=newlyListed
// orders by listing date, newest first (the default order here too).
func (m *Market) ebaySearch(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !m.validToken(tok) {
		writeEbayError(w, http.StatusUnauthorized, 1001, "OAuth", "Invalid access token")
		return
	}
	qs := r.URL.Query()
	q := qs.Get("q")
	if strings.TrimSpace(q) == "" {
		writeEbayError(w, http.StatusBadRequest, 12001, "API_BROWSE",
			"The call must have a valid 'q', 'category_ids', 'epid', 'gtin', or 'charity_ids' query parameter.")
		return
	}
	limit, offset := ebayDefaultLimit, 0
	if v := qs.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > ebayMaxLimit {
			writeEbayError(w, http.StatusBadRequest, 12002, "API_BROWSE", "The 'limit' value must be an integer from 1 to 200.")
			return
		}
		limit = n
	}
	if v := qs.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > ebayMaxOffset {
			writeEbayError(w, http.StatusBadRequest, 12003, "API_BROWSE", "The 'offset' value must be an integer from 0 to 9999.")
			return
		}
		offset = n
	}
	if s := qs.Get("sort"); s != "" && s != "newlyListed" {
		writeEbayError(w, http.StatusBadRequest, 12023, "API_BROWSE", fmt.Sprintf("The sort value %q is not supported here.", s))
		return
	}

	var hits []Listing
	for _, l := range m.ebay {
		if l.matches(q) {
			hits = append(hits, l)
		}
	}
	pageURL := func(off int) string {
		v := url.Values{}
		for k, vs := range qs {
			v[k] = vs
		}
		v.Set("limit", strconv.Itoa(limit))
		v.Set("offset", strconv.Itoa(off))
		return m.base(r) + "/buy/browse/v1/item_summary/search?" + v.Encode()
	}
	page := ebaySearchPage{Href: pageURL(offset), Total: len(hits), Limit: limit, Offset: offset}
	if offset+limit < len(hits) {
		page.Next = pageURL(offset + limit)
	}
	if offset > 0 {
		page.Prev = pageURL(max(0, offset-limit))
	}
	for i := offset; i < len(hits) && i < offset+limit; i++ {
		page.ItemSummaries = append(page.ItemSummaries, m.ebayItem(r, hits[i]))
	}
	writeJSON(w, http.StatusOK, page)
}

func (m *Market) ebayItem(r *http.Request, l Listing) ebayItemSummary {
	pct, score := sellerStats(l.Seller)
	it := ebayItemSummary{
		ItemID: l.ExternalID, LegacyItemID: legacyID(l.ExternalID), Title: l.Title, ShortDescription: l.Desc,
		Price:         ebayMoney{Value: strconv.FormatFloat(l.Price, 'f', 2, 64), Currency: l.Currency},
		Image:         ebayImage{ImageURL: m.mediaURL(r, l.Images[0])},
		ItemHref:      m.base(r) + "/buy/browse/v1/item/" + url.PathEscape(l.ExternalID),
		ItemWebURL:    m.itemURL(r, l),
		Seller:        ebaySeller{Username: l.Seller, FeedbackPercentage: pct, FeedbackScore: score},
		Condition:     "New",
		ConditionID:   "1000",
		BuyingOptions: []string{"FIXED_PRICE"},
		// eBay writes milliseconds and Z.
		ItemCreationDate: l.posted.Format("2006-01-02T15:04:05.000Z"),
	}
	for _, img := range l.Images[1:] {
		it.AdditionalImages = append(it.AdditionalImages, ebayImage{ImageURL: m.mediaURL(r, img)})
	}
	return it
}

// Mastodon limits of the hashtag timeline.
const (
	mastodonDefaultLimit = 20
	mastodonMaxLimit     = 40
)

type mastodonAccount struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
	Avatar      string `json:"avatar"`
	Note        string `json:"note"`
	Bot         bool   `json:"bot"`
	CreatedAt   string `json:"created_at"`
}

type mastodonMeta struct {
	Original struct {
		Width  int `json:"width,omitempty"`
		Height int `json:"height,omitempty"`
	} `json:"original"`
}

type mastodonMedia struct {
	ID          string        `json:"id"`
	Type        string        `json:"type"`
	URL         string        `json:"url"`
	PreviewURL  string        `json:"preview_url"`
	RemoteURL   *string       `json:"remote_url"`
	Description string        `json:"description"`
	Meta        *mastodonMeta `json:"meta,omitempty"`
}

type mastodonTag struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type mastodonStatus struct {
	ID                 string          `json:"id"`
	CreatedAt          string          `json:"created_at"`
	InReplyToID        *string         `json:"in_reply_to_id"`
	InReplyToAccountID *string         `json:"in_reply_to_account_id"`
	Sensitive          bool            `json:"sensitive"`
	SpoilerText        string          `json:"spoiler_text"`
	Visibility         string          `json:"visibility"`
	Language           string          `json:"language"`
	URI                string          `json:"uri"`
	URL                string          `json:"url"`
	RepliesCount       int             `json:"replies_count"`
	ReblogsCount       int             `json:"reblogs_count"`
	FavouritesCount    int             `json:"favourites_count"`
	Content            string          `json:"content"`
	Reblog             *mastodonStatus `json:"reblog"`
	Account            mastodonAccount `json:"account"`
	MediaAttachments   []mastodonMedia `json:"media_attachments"`
	Mentions           []any           `json:"mentions"`
	Tags               []mastodonTag   `json:"tags"`
	Emojis             []any           `json:"emojis"`
	Card               any             `json:"card"`
	Poll               any             `json:"poll"`
}

// idLess compares Mastodon ids, which are decimal strings of growing
// length.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func validID(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// GET /api/v1/timelines/tag/{hashtag}: Mastodon's hashtag timeline, newest
// first, paged by max_id (older), since_id (newer) and min_id (the page
// just after it), with a Link header.
func (m *Market) mastodonTag(w http.ResponseWriter, r *http.Request) {
	tag := strings.TrimPrefix(r.PathValue("hashtag"), "#")
	qs := r.URL.Query()
	limit := mastodonDefaultLimit
	if v := qs.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "limit must be a number"})
			return
		}
		limit = min(max(n, 1), mastodonMaxLimit) // Mastodon clamps
	}
	bounds := map[string]string{}
	for _, k := range []string{"max_id", "since_id", "min_id"} {
		if v := qs.Get(k); v != "" {
			if !validID(v) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": k + " must be a status id"})
				return
			}
			bounds[k] = v
		}
	}

	var hits []Listing // newest first
	for _, l := range m.masto {
		id := l.ExternalID
		if !l.hasTag(tag) ||
			(bounds["max_id"] != "" && !idLess(id, bounds["max_id"])) ||
			(bounds["since_id"] != "" && !idLess(bounds["since_id"], id)) ||
			(bounds["min_id"] != "" && !idLess(bounds["min_id"], id)) {
			continue
		}
		hits = append(hits, l)
	}
	if bounds["min_id"] != "" && len(hits) > limit {
		hits = hits[len(hits)-limit:] // the statuses just after min_id
	} else if len(hits) > limit {
		hits = hits[:limit]
	}

	base := m.base(r)
	statuses := make([]mastodonStatus, 0, len(hits))
	for _, l := range hits {
		statuses = append(statuses, m.status(base, l))
	}
	if len(hits) > 0 {
		link := func(k, v string) string {
			u := url.Values{"limit": {strconv.Itoa(limit)}, k: {v}}
			return base + "/api/v1/timelines/tag/" + url.PathEscape(tag) + "?" + u.Encode()
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="prev"`,
			link("max_id", hits[len(hits)-1].ExternalID), link("min_id", hits[0].ExternalID)))
	}
	writeJSON(w, http.StatusOK, statuses)
}

func (m *Market) status(base string, l Listing) mastodonStatus {
	acctID := accountID(l.Seller)
	created := l.posted.Format("2006-01-02T15:04:05.000Z")
	s := mastodonStatus{
		ID: l.ExternalID, CreatedAt: created, Visibility: "public", Language: "en",
		URI:     base + "/users/" + l.Seller + "/statuses/" + l.ExternalID,
		URL:     base + "/@" + l.Seller + "/" + l.ExternalID,
		Content: mastodonHTML(base, l),
		Account: mastodonAccount{ID: acctID, Username: l.Seller, Acct: l.Seller, DisplayName: l.Seller,
			URL: base + "/@" + l.Seller, Avatar: base + "/avatars/original/missing.png", CreatedAt: "2024-01-01T00:00:00.000Z"},
		MediaAttachments: []mastodonMedia{}, Mentions: []any{}, Tags: []mastodonTag{}, Emojis: []any{},
	}
	for i, img := range l.Images {
		u := base + "/media/" + url.PathEscape(img)
		s.MediaAttachments = append(s.MediaAttachments, mastodonMedia{
			ID: l.ExternalID + strconv.Itoa(i), Type: "image", URL: u, PreviewURL: u,
			Description: "photo " + strconv.Itoa(i+1) + " of the offer"})
	}
	for _, t := range l.Tags {
		s.Tags = append(s.Tags, mastodonTag{Name: strings.ToLower(t), URL: base + "/tags/" + url.PathEscape(t)})
	}
	return s
}

// accountID makes a stable numeric account id from a user name.
func accountID(user string) string {
	var h uint64 = 1469598103934665603
	for _, c := range []byte(user) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return strconv.FormatUint(100000000000000000+h%800000000000000000, 10)
}
