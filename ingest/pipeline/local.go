package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/localfs"
	"counterlens/ingest/fetch"
)

// ErrOutsideRoot means a file:// picture is not under the local root.
var ErrOutsideRoot = errors.New("file is outside the local root")

// LocalFiles serves the file:// pictures of local sources (Telegram exports,
// folder drops) from under Root, and hands every other URL to Next. With an
// empty Root, file:// URLs are refused.
type LocalFiles struct {
	Root string
	Next Fetcher
}

// Get implements [Fetcher].
func (l LocalFiles) Get(ctx context.Context, raw string, maxBytes int64) (*fetch.Response, error) {
	if !strings.HasPrefix(strings.ToLower(raw), "file:") {
		return l.Next.Get(ctx, raw, maxBytes)
	}
	if l.Root == "" {
		return nil, fmt.Errorf("%w: %w", fetch.ErrScheme, localfs.ErrDisabled)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Host != "" && u.Host != "localhost") || !filepath.IsAbs(u.Path) {
		return nil, fmt.Errorf("%w: %q is not a file:///absolute/path URL", fetch.ErrScheme, raw)
	}
	root, err := filepath.EvalSymlinks(l.Root)
	if err != nil {
		return nil, fmt.Errorf("local root: %w", err)
	}
	path, err := filepath.EvalSymlinks(filepath.Clean(u.Path))
	if err != nil || !localfs.Within(root, path) {
		return nil, fmt.Errorf("%w: %s", ErrOutsideRoot, u.Path)
	}
	body, err := localfs.ReadFile(path, maxBytes)
	if errors.Is(err, connector.ErrTooLarge) {
		return nil, fmt.Errorf("%w: %v", fetch.ErrTooLarge, err)
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	return &fetch.Response{
		URL: raw, Status: http.StatusOK, Header: http.Header{}, Body: body,
		ContentType: http.DetectContentType(body), SHA256: hex.EncodeToString(sum[:]),
		CapturedAt: time.Now().UTC(),
	}, nil
}
