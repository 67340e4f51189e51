package redisq

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"counterlens/models"
)

// keyAudit is the audit log: a stream capped near auditMaxLen entries, one
// field "e" holding the AuditEntry JSON; the stream id is the entry id.
const keyAudit = prefix + "audit"

const (
	// auditMaxLen caps the audit stream (approximately: Redis trims whole
	// nodes); the oldest entries go first.
	auditMaxLen = 1_000_000
	// auditScanMax bounds the entries one query reads while filtering; a
	// page cut short by it still carries a cursor to go on.
	auditScanMax = 20_000
)

// AppendAudit records e in the audit log and returns it with its id.
func (s *Store) AppendAudit(ctx context.Context, e models.AuditEntry) (models.AuditEntry, error) {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	e.ID = ""
	id, err := s.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: keyAudit, MaxLen: auditMaxLen, Approx: true,
		Values: []any{"e", mustJSON(e)},
	}).Result()
	e.ID = id
	return e, wrap(err)
}

// AuditQuery selects audit entries; empty fields do not filter.
type AuditQuery struct {
	KeyID string
	// Object keeps entries that name this id, as their object or among
	// their refs (a brand's id finds the changes of its logos too).
	Object     string
	ObjectType string
	Since      time.Time
	Until      time.Time
	Limit      int
	Cursor     string
}

var auditCursor = regexp.MustCompile(`^[0-9]{1,20}-[0-9]{1,20}$`)

// AuditLog returns entries newest first, and the cursor of the next page
// ("" at the end).
func (s *Store) AuditLog(ctx context.Context, q AuditQuery) ([]models.AuditEntry, string, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	end, start := "+", "-"
	if !q.Until.IsZero() {
		end = strconv.FormatInt(q.Until.UnixMilli(), 10)
	}
	if q.Cursor != "" {
		if !auditCursor.MatchString(q.Cursor) {
			return nil, "", ErrBadCursor
		}
		end = "(" + q.Cursor
	}
	if !q.Since.IsZero() {
		start = strconv.FormatInt(q.Since.UnixMilli(), 10)
	}
	out := make([]models.AuditEntry, 0, q.Limit)
	batch := int64(max(100, 2*q.Limit))
	for scanned := 0; ; {
		msgs, err := s.rdb.XRevRangeN(ctx, keyAudit, end, start, batch).Result()
		if err != nil {
			return nil, "", wrap(err)
		}
		for i, m := range msgs {
			e, err := auditEntry(m)
			if err != nil {
				return nil, "", err
			}
			if q.matches(e) {
				out = append(out, e)
			}
			scanned++
			if len(out) == q.Limit || scanned >= auditScanMax {
				if i == len(msgs)-1 && int64(len(msgs)) < batch {
					return out, "", nil // the log ends here
				}
				return out, m.ID, nil
			}
		}
		if int64(len(msgs)) < batch {
			return out, "", nil
		}
		end = "(" + msgs[len(msgs)-1].ID
	}
}

func (q AuditQuery) matches(e models.AuditEntry) bool {
	switch {
	case q.KeyID != "" && e.KeyID != q.KeyID,
		q.ObjectType != "" && e.ObjectType != q.ObjectType,
		q.Object != "" && e.ObjectID != q.Object && !slices.Contains(slices.Collect(maps.Values(e.Refs)), q.Object):
		return false
	}
	return true
}

func auditEntry(m redis.XMessage) (models.AuditEntry, error) {
	var e models.AuditEntry
	raw, _ := m.Values["e"].(string)
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		return e, fmt.Errorf("decode audit entry %s: %w", m.ID, err)
	}
	e.ID = m.ID
	return e, nil
}
