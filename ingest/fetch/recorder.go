package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrRecord wraps a failure of the [Recorder]: the response was fetched but
// could not be kept, so it is not handed over as if it had been.
var ErrRecord = errors.New("fetch: cannot record the response")

// Recorder is told about every response the fetcher hands to a caller, to
// keep it (as evidence, say): the final response of [Fetcher.Get], 2xx or
// not, and the response of every GET sent with [Fetcher.Do], once the
// caller has read its body to the end. Responses that are retried, POSTs
// (token requests) and robots.txt are not recorded. Record runs in the
// caller's goroutine with the request's context; its error fails the call.
type Recorder interface {
	Record(ctx context.Context, r *Response) error
}

// WithRecorder sets the [Recorder]. Default: none.
func WithRecorder(r Recorder) Option {
	return func(o *options) { o.recorder = r }
}

// record hands r to the recorder, if any.
func (f *Fetcher) record(ctx context.Context, r *Response) error {
	if f.recorder == nil || r == nil {
		return nil
	}
	if err := f.recorder.Record(ctx, r); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrRecord, r.URL, err)
	}
	return nil
}

// recordFinal records the response inside the final error of Get, if
// there is one; it returns err, joined with the recorder's error.
func (f *Fetcher) recordFinal(ctx context.Context, err error) error {
	var se *StatusError
	if errors.As(err, &se) && se.Response != nil {
		if rerr := f.record(ctx, se.Response); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	return err
}

// recordBody makes resp's body record the response once it was read to
// the end, for a GET sent by Do.
func (f *Fetcher) recordBody(req *http.Request, resp *http.Response) {
	if f.recorder == nil || (req.Method != "" && req.Method != http.MethodGet) {
		return
	}
	resp.Body = &recordingBody{rc: resp.Body, f: f, ctx: req.Context(), resp: resp}
}

// recordingBody keeps a copy of what the caller reads and records it at
// the end of the body. A body closed before its end is not recorded: it
// would not be the whole response.
type recordingBody struct {
	rc   io.ReadCloser
	f    *Fetcher
	ctx  context.Context
	resp *http.Response
	buf  []byte
	done bool
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.buf = append(b.buf, p[:n]...)
	if err == io.EOF && !b.done {
		b.done = true
		sum := sha256.Sum256(b.buf)
		r := &Response{
			URL: b.resp.Request.URL.String(), Status: b.resp.StatusCode, Header: b.resp.Header,
			Body: b.buf, ContentType: sniff(b.buf), SHA256: hex.EncodeToString(sum[:]),
			CapturedAt: b.f.now().UTC(), UserAgent: b.resp.Request.Header.Get("User-Agent"),
		}
		if rerr := b.f.record(b.ctx, r); rerr != nil {
			return n, rerr
		}
	}
	return n, err
}

func (b *recordingBody) Close() error { return b.rc.Close() }
