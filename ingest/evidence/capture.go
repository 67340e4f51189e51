package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"gocloud.dev/blob"

	"counterlens/ingest/fetch"
	"counterlens/models"
)

// CaptureFormat names the layout of a [CaptureRecord]; it is in every one.
const CaptureFormat = "counterlens-capture/1"

// CaptureRecord describes one fetched response: what was asked for, what
// the server answered (status and headers) and when, who fetched it, and
// the control number of the body, kept byte-exact next to it.
type CaptureRecord struct {
	Format     string              `json:"format"`
	URL        string              `json:"url"`
	HTTPStatus int                 `json:"http_status"`
	Headers    map[string][]string `json:"headers"`
	CapturedAt time.Time           `json:"captured_at"`
	BodySHA256 string              `json:"body_sha256"`
	BodySize   int64               `json:"body_size"`
	// ContentType is sniffed from the body's bytes, not the header.
	ContentType string `json:"content_type,omitempty"`
	// UserAgent is the User-Agent the request was sent with; Software
	// names the program and its version, e.g. "counterlens 1.2.0".
	UserAgent string `json:"user_agent"`
	Software  string `json:"software"`
}

// StoredRecord is a capture record as stored: its exact bytes, their
// control number, and what they say.
type StoredRecord struct {
	SHA256 string
	Raw    []byte
	Record CaptureRecord
}

// recordKey is where the record recordSum of the body bodySum lives: the
// records of a body are found by listing its folder.
func recordKey(bodySum, recordSum string) string {
	return "captures/" + bodySum[:2] + "/" + bodySum + "/" + recordSum + ".json"
}

// WriteRecord stores the capture record raw of the body bodySum and
// returns the record's control number; like [Blobs.Write], it is
// idempotent and checked.
func (b *Blobs) WriteRecord(ctx context.Context, bodySum string, raw []byte) (string, error) {
	if !ValidSum(bodySum) {
		return "", fmt.Errorf("bad control number %q", bodySum)
	}
	sum := Sum(raw)
	return sum, b.write(ctx, recordKey(bodySum, sum), sum, raw)
}

// ReadRecord returns the record recordSum of the body bodySum, checked.
func (b *Blobs) ReadRecord(ctx context.Context, bodySum, recordSum string) ([]byte, error) {
	if !ValidSum(bodySum) || !ValidSum(recordSum) {
		return nil, ErrNotFound
	}
	return b.read(ctx, recordKey(bodySum, recordSum), recordSum)
}

// Records returns every capture record of the body bodySum, each checked
// against its control number.
func (b *Blobs) Records(ctx context.Context, bodySum string) ([]StoredRecord, error) {
	if !ValidSum(bodySum) {
		return nil, nil
	}
	var out []StoredRecord
	it := b.bucket.List(&blob.ListOptions{Prefix: "captures/" + bodySum[:2] + "/" + bodySum + "/"})
	for {
		obj, err := it.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("evidence store: list records of %s: %w", bodySum, err)
		}
		name := obj.Key[strings.LastIndexByte(obj.Key, '/')+1:]
		sum := strings.TrimSuffix(name, ".json")
		if !ValidSum(sum) {
			continue
		}
		raw, err := b.read(ctx, obj.Key, sum)
		if err != nil {
			return nil, err
		}
		var rec CaptureRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("evidence store: record %s: %w", obj.Key, err)
		}
		out = append(out, StoredRecord{SHA256: sum, Raw: raw, Record: rec})
	}
}

// Capture is one response kept by a [Capturer].
type Capture struct {
	Record       CaptureRecord
	RecordSHA256 string
	body         []byte
}

// Capturer is the fetcher's [fetch.Recorder]: it keeps the body of every
// response in the store and a [CaptureRecord] next to it, and adds the
// capture to the [Collected] of the request's context, if any.
type Capturer struct {
	Blobs *Blobs
	// Software names this program in every record, e.g. "counterlens 1.2.0".
	Software string
}

var _ fetch.Recorder = (*Capturer)(nil)

// Record implements [fetch.Recorder].
func (c *Capturer) Record(ctx context.Context, r *fetch.Response) error {
	sum, err := c.Blobs.Write(ctx, r.Body)
	if err != nil {
		return err
	}
	rec := CaptureRecord{Format: CaptureFormat, URL: r.URL, HTTPStatus: r.Status, Headers: r.Header,
		CapturedAt: r.CapturedAt.UTC(), BodySHA256: sum, BodySize: int64(len(r.Body)), ContentType: r.ContentType,
		UserAgent: r.UserAgent, Software: c.Software}
	if rec.Headers == nil {
		rec.Headers = map[string][]string{}
	}
	raw, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("encode capture record: %w", err)
	}
	recSum, err := c.Blobs.WriteRecord(ctx, sum, append(raw, '\n'))
	if err != nil {
		return err
	}
	if col, ok := ctx.Value(collectKey{}).(*Collected); ok {
		col.mu.Lock()
		col.caps = append(col.caps, Capture{Record: rec, RecordSHA256: recSum, body: r.Body})
		col.mu.Unlock()
	}
	return nil
}

type collectKey struct{}

// Collected gathers the captures made under one context, e.g. the pages a
// connector fetched during one crawl.
type Collected struct {
	mu   sync.Mutex
	caps []Capture
}

// Collect returns a context under which every capture is also added to
// the returned [Collected].
func Collect(ctx context.Context) (context.Context, *Collected) {
	col := &Collected{}
	return context.WithValue(ctx, collectKey{}, col), col
}

// Captures returns what was captured so far, in order.
func (c *Collected) Captures() []Capture {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Capture(nil), c.caps...)
}

// LinkPages returns the pages of caps in which listing l was found: those
// whose body holds its URL (as written, JSON-escaped or HTML-escaped) or
// its external id. When no page names it, the listing still came from one
// of them, so all of them are returned: a page too many in a bundle is
// better than the page that showed the offer missing.
func LinkPages(l models.Listing, caps []Capture) []Capture {
	var needles [][]byte
	if l.URL != "" {
		needles = append(needles, []byte(l.URL), []byte(strings.ReplaceAll(l.URL, "/", `\/`)), []byte(html.EscapeString(l.URL)))
		if j, err := json.Marshal(l.URL); err == nil {
			j = bytes.Trim(j, `"`)
			needles = append(needles, j, bytes.ReplaceAll(j, []byte("/"), []byte(`\/`)))
		}
	}
	if len(l.ExternalID) >= 4 {
		needles = append(needles, []byte(l.ExternalID))
	}
	var out []Capture
	for _, c := range caps {
		for _, n := range needles {
			if bytes.Contains(c.body, n) {
				out = append(out, c)
				break
			}
		}
	}
	if len(out) == 0 {
		return caps
	}
	return out
}

// KindPage marks a custody "captured" event of a page (an API, feed or
// HTML answer in which the listing was found), as opposed to a picture.
const KindPage = "page"

// PageEvent is the custody event that links the page c to a listing.
func PageEvent(c Capture, actor string) Event {
	r := c.Record
	return Event{Type: EventCaptured, At: r.CapturedAt, Actor: actor, Details: map[string]string{
		"kind": KindPage, "url": r.URL, "sha256": r.BodySHA256, "record_sha256": c.RecordSHA256,
		"http_status": strconv.Itoa(r.HTTPStatus), "size": strconv.FormatInt(r.BodySize, 10),
		"content_type": r.ContentType,
	}}
}
