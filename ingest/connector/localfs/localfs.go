// Package localfs confines the connectors that read local files (telegram
// exports, folder drops) to [connector.Config.LocalRoot]: a source's
// file:// URL must name a folder under it, and every file read must stay
// inside that folder once symbolic links are resolved.
package localfs

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"counterlens/ingest/connector"
)

// ErrDisabled means no local root is configured.
var ErrDisabled = errors.New("localfs: local sources are disabled (no local root configured)")

// Dir returns the real path of the folder that the file:// URL raw names,
// which must be root or under it. Errors wrap [connector.ErrBadSource].
func Dir(root, raw string) (string, error) {
	if root == "" {
		return "", fmt.Errorf("%w: %w", connector.ErrBadSource, ErrDisabled)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") || u.User != nil || u.RawQuery != "" || u.Path == "" {
		return "", fmt.Errorf("%w: %q is not a file:///absolute/path URL", connector.ErrBadSource, raw)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("%w: local root: %w", connector.ErrBadSource, err)
	}
	dir, err := filepath.EvalSymlinks(filepath.Clean(u.Path))
	if err != nil {
		return "", fmt.Errorf("%w: %w", connector.ErrBadSource, err)
	}
	if !Within(realRoot, dir) {
		return "", fmt.Errorf("%w: %s is not under the local root", connector.ErrBadSource, u.Path)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("%w: %w", connector.ErrBadSource, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%w: %s is not a folder", connector.ErrBadSource, u.Path)
	}
	return dir, nil
}

// Within reports whether path is dir or inside it; both must be clean
// absolute paths.
func Within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// File returns the real path of rel, a relative path inside dir (a
// folder returned by [Dir]) naming a regular file; ok is false for
// anything else: absolute, escaping, missing, a folder, a device.
func File(dir, rel string) (string, bool) {
	if rel == "" || filepath.IsAbs(rel) || strings.ContainsRune(rel, 0) {
		return "", false
	}
	p, err := filepath.EvalSymlinks(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil || !Within(dir, p) {
		return "", false
	}
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	return p, true
}

// FileURL is the file:// URL of an absolute path.
func FileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// ReadFile reads a regular file of at most limit bytes; a bigger one is
// [connector.ErrTooLarge].
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: %s over %d bytes", connector.ErrTooLarge, filepath.Base(path), limit)
	}
	return b, nil
}
