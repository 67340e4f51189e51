package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// SeedConfig says where the API and the demo market are.
type SeedConfig struct {
	APIURL    string // counterlens API base URL
	AdminKey  string // an admin API key
	MarketURL string // the demo market's base URL, as the API's crawler reaches it
	DataDir   string // testdata/demo
	// Wait bounds how long Seed waits for the listings to be analysed; 0
	// means 2 minutes.
	Wait time.Duration
	// Top is how many suspicions the table shows.
	Top int
	// HTTPClient calls the API; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// PollEvery is the pause between two looks at the suspicions; 0 means 1 s.
	PollEvery time.Duration
}

// ErrIncomplete means not every demo listing was analysed within Wait.
var ErrIncomplete = errors.New("demo: not every listing was analysed in time")

// APIError is an error answer of the counterlens API.
type APIError struct {
	Method, Path string
	Status       int
	Type         string
	Message      string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("demo: %s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Type, e.Message)
}

// Seed loads the demo into a counterlens API through its public HTTP API:
// it creates the demo brands (reusing those that exist by name) with their
// reference logos, creates an eBay and a Mastodon source on the demo market
// (reusing identical ones), runs them, waits until every demo listing is
// analysed or cfg.Wait passes, and prints the top suspicions and the URLs
// to open to out. It returns [ErrIncomplete] after printing when time ran
// out.
func Seed(ctx context.Context, cfg SeedConfig, out io.Writer) error {
	if cfg.APIURL == "" || cfg.AdminKey == "" || cfg.MarketURL == "" || cfg.DataDir == "" {
		return errors.New("demo: seed needs the API URL, an admin key, the market URL and the data folder")
	}
	if cfg.Wait <= 0 {
		cfg.Wait = 2 * time.Minute
	}
	if cfg.Top <= 0 {
		cfg.Top = 10
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	data, err := Load(cfg.DataDir)
	if err != nil {
		return err
	}
	s := &seeder{cfg: cfg, api: strings.TrimRight(cfg.APIURL, "/"), market: strings.TrimRight(cfg.MarketURL, "/")}

	if err := s.brands(ctx, data, out); err != nil {
		return err
	}
	if err := s.sources(ctx, out); err != nil {
		return err
	}
	items, done := s.wait(ctx, len(data.Listings), out)
	s.table(items, out)
	fmt.Fprintf(out, "\nOpen:\n  review page  %s/\n  API          %s/v1/suspicions (Authorization: Bearer <admin key>)\n  demo market  %s/\n",
		s.api, s.api, s.market)
	if !done {
		return fmt.Errorf("%w: %d of %d after %s", ErrIncomplete, len(items), len(data.Listings), cfg.Wait)
	}
	return nil
}

type seeder struct {
	cfg         SeedConfig
	api, market string
}

type suspicion struct {
	ListingID string   `json:"listing_id"`
	Score     float64  `json:"score"`
	Platform  string   `json:"platform"`
	URL       string   `json:"url"`
	Title     string   `json:"title"`
	Reasons   []string `json:"reasons"`
	Brands    []struct {
		Name string `json:"name"`
	} `json:"brands"`
}

// call sends one request to the API and decodes a JSON answer into v.
func (s *seeder) call(ctx context.Context, method, path string, body io.Reader, contentType string, want int, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, s.api+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.cfg.AdminKey)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("demo: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("demo: %s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		e := &APIError{Method: method, Path: path, Status: resp.StatusCode}
		var body struct {
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(raw, &body) == nil && body.Error.Type != "" {
			e.Type, e.Message = body.Error.Type, body.Error.Message
		} else {
			e.Message = strings.TrimSpace(string(raw[:min(len(raw), 200)]))
		}
		return e
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("demo: %s %s: bad answer: %w", method, path, err)
	}
	return nil
}

func (s *seeder) postJSON(ctx context.Context, path string, in any, want int, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return s.call(ctx, http.MethodPost, path, bytes.NewReader(raw), "application/json", want, out)
}

// brands creates the demo brands that do not exist yet and gives each a
// reference logo unless it has one.
func (s *seeder) brands(ctx context.Context, data Data, out io.Writer) error {
	var list struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := s.call(ctx, http.MethodGet, "/v1/brands", nil, "", http.StatusOK, &list); err != nil {
		return err
	}
	existing := make(map[string]string, len(list.Items))
	for _, b := range list.Items {
		existing[strings.ToLower(b.Name)] = b.ID
	}
	for _, b := range data.Brands {
		id, ok := existing[strings.ToLower(b.Name)]
		if ok {
			fmt.Fprintf(out, "brand %-15s exists (%s)\n", b.Name, id)
		} else {
			req := map[string]any{"name": b.Name, "aliases": nonNil(b.Aliases), "authorized_sellers": nonNil(b.AuthorizedSellers)}
			if b.MinPrice != nil {
				req["min_price"] = b.MinPrice
			}
			var created struct {
				ID string `json:"id"`
			}
			if err := s.postJSON(ctx, "/v1/brands", req, http.StatusCreated, &created); err != nil {
				return err
			}
			if created.ID == "" {
				return fmt.Errorf("demo: POST /v1/brands: no id in the answer for %s", b.Name)
			}
			id = created.ID
			fmt.Fprintf(out, "brand %-15s created (%s)\n", b.Name, id)
		}
		has, err := s.hasLogo(ctx, id)
		if err != nil {
			return err
		}
		if has {
			continue
		}
		if err := s.uploadLogo(ctx, id, filepath.Join(data.Dir, b.Logo)); err != nil {
			return err
		}
		fmt.Fprintf(out, "brand %-15s logo %s uploaded\n", b.Name, b.Logo)
	}
	return nil
}

// hasLogo reports whether the brand already has a reference logo; an API
// without GET /v1/brands/{id}/logos is taken as "no".
func (s *seeder) hasLogo(ctx context.Context, brandID string) (bool, error) {
	var logos struct {
		Items []json.RawMessage `json:"items"`
	}
	err := s.call(ctx, http.MethodGet, "/v1/brands/"+url.PathEscape(brandID)+"/logos", nil, "", http.StatusOK, &logos)
	var ae *APIError
	if errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusMethodNotAllowed) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return len(logos.Items) > 0, nil
}

func (s *seeder) uploadLogo(ctx context.Context, brandID, path string) error {
	img, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="image"; filename=%q`, filepath.Base(path)))
	h.Set("Content-Type", "image/png")
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := part.Write(img); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	return s.call(ctx, http.MethodPost, "/v1/brands/"+url.PathEscape(brandID)+"/logos", &body, mw.FormDataContentType(), http.StatusCreated, nil)
}

// sources creates (or reuses) the eBay and Mastodon sources on the market
// and runs them.
func (s *seeder) sources(ctx context.Context, out io.Writer) error {
	type source struct {
		ID    string `json:"id"`
		Type  string `json:"type"`
		URL   string `json:"url"`
		Query string `json:"query"`
	}
	var list struct {
		Items []source `json:"items"`
	}
	if err := s.call(ctx, http.MethodGet, "/v1/sources", nil, "", http.StatusOK, &list); err != nil {
		return err
	}
	for _, typ := range []string{"ebay", "mastodon"} {
		want := source{Type: typ, URL: s.market, Query: SearchTerm}
		var id string
		for _, have := range list.Items {
			if have.Type == want.Type && strings.TrimRight(have.URL, "/") == want.URL && have.Query == want.Query {
				id = have.ID
			}
		}
		if id == "" {
			var created source
			if err := s.postJSON(ctx, "/v1/sources", want, http.StatusCreated, &created); err != nil {
				return err
			}
			if created.ID == "" {
				return errors.New("demo: POST /v1/sources: no id in the answer")
			}
			id = created.ID
			fmt.Fprintf(out, "source %-8s created (%s): %s %q\n", typ, id, want.URL, want.Query)
		} else {
			fmt.Fprintf(out, "source %-8s exists (%s)\n", typ, id)
		}
		var run struct {
			RunID string `json:"run_id"`
		}
		if err := s.postJSON(ctx, "/v1/sources/"+url.PathEscape(id)+"/run", struct{}{}, http.StatusAccepted, &run); err != nil {
			return err
		}
		fmt.Fprintf(out, "source %-8s crawling (run %s)\n", typ, run.RunID)
	}
	return nil
}

// suspicions returns the analysed listings that come from the market.
func (s *seeder) suspicions(ctx context.Context) ([]suspicion, error) {
	var all []suspicion
	cursor := ""
	for range 20 {
		q := url.Values{"limit": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items      []suspicion `json:"items"`
			NextCursor string      `json:"next_cursor"`
		}
		if err := s.call(ctx, http.MethodGet, "/v1/suspicions?"+q.Encode(), nil, "", http.StatusOK, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			if strings.HasPrefix(it.URL, s.market+"/") {
				all = append(all, it)
			}
		}
		if page.NextCursor == "" || len(page.Items) == 0 {
			break
		}
		cursor = page.NextCursor
	}
	return all, nil
}

// wait polls the suspicions until want demo listings are analysed or Wait
// passes; it returns the last list seen, highest score first.
func (s *seeder) wait(ctx context.Context, want int, out io.Writer) ([]suspicion, bool) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Wait)
	defer cancel()
	var last []suspicion
	reported := -1
	for {
		items, err := s.suspicions(ctx)
		if err == nil {
			last = items
			if len(items) != reported {
				fmt.Fprintf(out, "analysed %d of %d demo listings\n", len(items), want)
				reported = len(items)
			}
			if len(items) >= want {
				return last, true
			}
		} else if ctx.Err() == nil {
			fmt.Fprintf(out, "cannot read suspicions yet: %v\n", err)
		}
		select {
		case <-ctx.Done():
			return last, false
		case <-time.After(s.cfg.PollEvery):
		}
	}
}

func (s *seeder) table(items []suspicion, out io.Writer) {
	n := min(len(items), s.cfg.Top)
	fmt.Fprintf(out, "\nTop %d suspicions\n", n)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCORE\tPLATFORM\tTITLE\tBRANDS\tREASONS")
	for _, it := range items[:n] {
		names := make([]string, 0, len(it.Brands))
		for _, b := range it.Brands {
			names = append(names, b.Name)
		}
		brands := strings.Join(names, ", ")
		if brands == "" {
			brands = "-"
		}
		reasons := strings.Join(it.Reasons, "; ")
		if reasons == "" {
			reasons = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", strconv.FormatFloat(it.Score, 'f', 2, 64), it.Platform,
			cut(it.Title, 42), brands, cut(reasons, 90))
	}
	_ = tw.Flush()
	if n > 0 {
		fmt.Fprintln(out, "\nListing pages:")
	}
	for _, it := range items[:n] {
		fmt.Fprintf(out, "  %.2f  %s\n", it.Score, it.URL)
	}
}

// cut shortens s to n characters, on one line.
func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
