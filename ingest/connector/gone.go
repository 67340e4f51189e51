package connector

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Gone asks the platform for a listing's own page and reports whether it
// answers that the listing is no more: 404 Not Found or 410 Gone. Any other
// answer means it is still there (or that this cannot tell); a network
// failure is an error, not a removal.
func Gone(ctx context.Context, doer Doer, listingURL string) (bool, error) {
	u, err := url.Parse(listingURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false, fmt.Errorf("%w: listing url %q is not http(s)", ErrBadSource, listingURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrBadSource, err)
	}
	resp, err := doer.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone, nil
}
