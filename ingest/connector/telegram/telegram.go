// Package telegram reads a Telegram Desktop JSON export: the folder that
// "Export chat history" (format JSON) writes, with result.json and the
// photos/ and files/ folders beside it. The source's URL is the folder as
// file:///path, and it must lie under [connector.Config.LocalRoot]; with no
// local root the connector refuses every source.
//
// result.json is either one chat ({"name", "type", "id", "messages"}) or a
// full account export ({"chats": {"list": [chat…]}}). Each message with
// text or a picture is a listing; a text-less photo sent in the same
// second by the same sender (the rest of an album) joins the message
// before it. Pictures are the exported photo files and image files, as
// file:// URLs of their real paths: the pipeline needs a reader for
// file:// image URLs (restricted to the local root) to analyse them.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/listingtext"
	"counterlens/ingest/connector/localfs"
	"counterlens/models"
)

// Connector reads Telegram exports.
type Connector struct {
	cfg connector.Config
}

var _ connector.Connector = (*Connector)(nil)

// New returns a Telegram export connector. It reads local files only, so
// it takes no Doer.
func New(cfg connector.Config) *Connector {
	return &Connector{cfg: cfg}
}

// Crawl returns the messages of the export at src.URL newer than state,
// newest first. The state maps each chat id to its highest message id
// read.
func (c *Connector) Crawl(ctx context.Context, src models.Source, st string) (connector.Result, error) {
	dir, err := localfs.Dir(c.cfg.LocalRoot, src.URL)
	if err != nil {
		return connector.Result{}, err
	}
	prev := map[string]int64{}
	if err := connector.ReadState("telegram", st, &prev); err != nil {
		return connector.Result{}, err
	}
	resultJSON, ok := localfs.File(dir, "result.json")
	if !ok {
		return connector.Result{}, fmt.Errorf("%w: %s has no result.json", connector.ErrBadSource, dir)
	}
	// An export is one file however long the chat: allow it the bytes of
	// all the pages of a crawl.
	raw, err := localfs.ReadFile(resultJSON, c.cfg.MaxPageBytes*int64(c.cfg.MaxPages))
	if err != nil {
		return connector.Result{}, fmt.Errorf("telegram: %w", err)
	}
	chats, err := parse(raw)
	if err != nil {
		return connector.Result{}, fmt.Errorf("telegram: %w", err)
	}
	next := make(map[string]int64, len(prev))
	for k, v := range prev {
		next[k] = v
	}
	var res connector.Result
	for _, ch := range chats {
		if err := ctx.Err(); err != nil {
			return connector.Result{}, err
		}
		chatID := strconv.FormatInt(ch.ID, 10)
		ls, newest, err := chatListings(src.Type, dir, resultJSON, ch, prev[chatID])
		if err != nil {
			return connector.Result{}, fmt.Errorf("telegram: chat %s: %w", chatID, err)
		}
		res.Listings = append(res.Listings, ls...)
		next[chatID] = max(next[chatID], newest)
	}
	out, err := json.Marshal(next)
	if err != nil {
		return connector.Result{}, err
	}
	res.State = string(out)
	return res, nil
}

type chat struct {
	Name     *string   `json:"name"`
	Type     string    `json:"type"`
	ID       int64     `json:"id"`
	Messages []message `json:"messages"`
}

type message struct {
	ID           int64  `json:"id"`
	Type         string `json:"type"`
	Date         string `json:"date"`
	DateUnixtime string `json:"date_unixtime"`
	From         string `json:"from"`
	FromID       string `json:"from_id"`
	Text         text   `json:"text"`
	Photo        string `json:"photo"`
	File         string `json:"file"`
	MimeType     string `json:"mime_type"`
}

// text is a message's text: a string, or an array of strings and entity
// objects ({"type": "bold", "text": "…"}).
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = text(s)
		return nil
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(b, &parts); err != nil {
		return fmt.Errorf("text is neither a string nor an array")
	}
	var sb strings.Builder
	for _, p := range parts {
		var s string
		if err := json.Unmarshal(p, &s); err == nil {
			sb.WriteString(s)
			continue
		}
		var e struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(p, &e); err != nil {
			return fmt.Errorf("text entity: %w", err)
		}
		sb.WriteString(e.Text)
	}
	*t = text(sb.String())
	return nil
}

// parse reads a single-chat or a full export.
func parse(raw []byte) ([]chat, error) {
	var doc struct {
		chat
		Chats *struct {
			List []chat `json:"list"`
		} `json:"chats"`
	}
	if err := connector.Decode(raw, &doc); err != nil {
		return nil, err
	}
	if doc.Chats != nil {
		return doc.Chats.List, nil
	}
	if doc.Name == nil && doc.Messages == nil {
		return nil, &connector.FieldError{Field: "messages"}
	}
	return []chat{doc.chat}, nil
}

func chatListings(platform, dir, resultJSON string, ch chat, since int64) ([]models.Listing, int64, error) {
	newest := since
	var out []models.Listing
	var last *message // the message the current listing was made from
	for i := range ch.Messages {
		m := &ch.Messages[i]
		if m.ID <= 0 {
			return nil, 0, fmt.Errorf("message %d: %w", i, &connector.FieldError{Field: "id"})
		}
		if m.Type != "message" || m.ID <= since {
			continue
		}
		newest = max(newest, m.ID)
		body := strings.TrimSpace(string(m.Text))
		imgs := images(dir, m)
		if body == "" && len(imgs) == 0 {
			continue
		}
		if body == "" && last != nil && len(out) > 0 && m.FromID == last.FromID && m.DateUnixtime != "" && m.DateUnixtime == last.DateUnixtime {
			l := &out[len(out)-1] // the rest of an album
			for _, u := range imgs {
				if !slices.Contains(l.ImageURLs, u) {
					l.ImageURLs = append(l.ImageURLs, u)
				}
			}
			continue
		}
		desc := body // plain text, not HTML
		title, _, _ := strings.Cut(desc, "\n")
		l := models.Listing{Platform: platform, ExternalID: fmt.Sprintf("%d/%d", ch.ID, m.ID),
			URL:   localfs.FileURL(resultJSON) + "#message" + strconv.FormatInt(m.ID, 10),
			Title: strings.TrimSpace(title), Desc: desc, Seller: m.From, ImageURLs: imgs}
		if l.Seller == "" && ch.Name != nil {
			l.Seller = *ch.Name
		}
		l.Price, l.Currency = listingtext.FindPrice(desc)
		out = append(out, l)
		last = m
	}
	slices.Reverse(out) // newest first
	return out, newest, nil
}

// images returns the file:// URLs of a message's exported pictures; a
// picture left out of the export ("(File not included…)") or outside the
// folder is skipped.
func images(dir string, m *message) []string {
	out := []string{}
	for _, rel := range []string{m.Photo, imageFile(m)} {
		if p, ok := localfs.File(dir, rel); ok {
			out = append(out, localfs.FileURL(p))
		}
	}
	return out
}

// imageFile is a message's file when it is a picture sent uncompressed.
func imageFile(m *message) string {
	if strings.HasPrefix(m.MimeType, "image/") {
		return m.File
	}
	switch strings.ToLower(filepath.Ext(m.File)) {
	case ".jpg", ".jpeg", ".png", ".webp":
		return m.File
	}
	return ""
}
