package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// page is the paging and time window of a list call.
type page struct {
	Limit        int
	Since, Until time.Time
}

// readPage reads the query parameters limit (1 to 500, default 50), since
// and until (RFC 3339).
func readPage(c *gin.Context) (page, error) {
	p := page{Limit: 50}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return p, badData("limit must be an integer from 1 to 500", err)
		}
		p.Limit = n
	}
	var err error
	if p.Since, err = queryTime(c, "since"); err != nil {
		return p, err
	}
	p.Until, err = queryTime(c, "until")
	return p, err
}

// queryTime parses an optional RFC 3339 query parameter.
func queryTime(c *gin.Context, name string) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || len(v) > 64 {
		return time.Time{}, badData(name+" must be an RFC 3339 time, e.g. 2024-05-01T12:00:00Z", err)
	}
	return t, nil
}
