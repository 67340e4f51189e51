package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/redisq"
	"counterlens/models"
)

// AuditLog keeps the record of every change.
type AuditLog interface {
	AppendAudit(ctx context.Context, e models.AuditEntry) (models.AuditEntry, error)
	AuditLog(ctx context.Context, q redisq.AuditQuery) ([]models.AuditEntry, string, error)
}

const (
	ctxAuditDetails = "audit_details"
	// maxAuditBody is how much of an answer the audit reads for the ids of
	// what a call created.
	maxAuditBody = 64 << 10
)

// auditDetail adds a detail to the audit entry of this call, if it succeeds.
func auditDetail(c *gin.Context, k, v string) {
	d, _ := c.Get(ctxAuditDetails)
	m, ok := d.(map[string]string)
	if !ok {
		m = map[string]string{}
		c.Set(ctxAuditDetails, m)
	}
	m[k] = v
}

// bodyTee keeps the start of an answer while it is written.
type bodyTee struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *bodyTee) keep(n int) int { return min(n, maxAuditBody-w.buf.Len()) }

func (w *bodyTee) Write(b []byte) (int, error) {
	w.buf.Write(b[:w.keep(len(b))])
	return w.ResponseWriter.Write(b)
}

func (w *bodyTee) WriteString(s string) (int, error) {
	w.buf.WriteString(s[:w.keep(len(s))])
	return w.ResponseWriter.WriteString(s)
}

// audited records every successful call that is not a read, whatever its
// route: who (the key), what (action and object, from the route template,
// its parameters and the ids in the answer), when, and the request id. It
// runs for every authenticated call, so routes added later are audited
// without doing anything.
func (s *Server) audited(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	if s.Audit == nil {
		c.Next()
		return
	}
	orig := c.Writer
	tee := &bodyTee{ResponseWriter: orig}
	c.Writer = tee
	c.Next()
	c.Writer = orig
	status := orig.Status()
	if len(c.Errors) > 0 || status < 200 || status > 299 || c.FullPath() == "" {
		return
	}
	p := who(c)
	e := describeCall(c.Request.Method, c.FullPath(), c.Params, tee.buf.Bytes())
	e.At, e.RequestID, e.Status = time.Now().UTC(), requestID(c), status
	e.KeyID, e.KeyName, e.Role = p.Key.ID, p.Key.Name, p.Key.Role
	if d, ok := c.Get(ctxAuditDetails); ok {
		for k, v := range d.(map[string]string) {
			e.Details = setKey(e.Details, k, v)
		}
	}
	// The change is made: record it even if the client has gone.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Second)
	defer cancel()
	if _, err := s.Audit.AppendAudit(ctx, e); err != nil {
		b, _ := json.Marshal(e)
		s.Log.Error("cannot record audit entry", "request_id", e.RequestID, "entry", string(b), "err", err)
	}
}

func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

var methodActions = map[string]string{
	http.MethodPost: "create", http.MethodPut: "replace", http.MethodPatch: "update", http.MethodDelete: "delete",
}

// describeCall derives action and object of a call from its route template
// (/v1/brands/:id/logos/:logo), its parameters and its JSON answer:
//
//   - a template ending in a parameter acts on that object: DELETE
//     /v1/brands/:id/logos/:logo deletes logo :logo (of brand :id);
//   - POST to a plural collection creates: POST /v1/brands/:id/logos creates
//     a logo whose id is the answer's "id";
//   - POST to another word after an object is a verb on that object: POST
//     /v1/sources/:id/run runs source :id.
//
// Every id named on the way goes into Refs by its object type, and the
// answer's "…_id" fields into Details.
func describeCall(method, template string, params gin.Params, body []byte) models.AuditEntry {
	e := models.AuditEntry{Method: method, Action: methodActions[method], Refs: map[string]string{}}
	segs := strings.Split(strings.TrimPrefix(template, "/v1/"), "/")
	route := make([]string, len(segs))
	lit := ""
	for i, seg := range segs {
		name, isParam := strings.CutPrefix(seg, ":")
		if !isParam {
			name, isParam = strings.CutPrefix(seg, "*")
		}
		if !isParam {
			route[i], lit = seg, seg
			continue
		}
		route[i] = "{" + name + "}"
		typ := singular(lit)
		e.Refs[typ] = params.ByName(name)
		e.ObjectType, e.ObjectID = typ, params.ByName(name)
	}
	e.Route = "/v1/" + strings.Join(route, "/")

	var answer map[string]any
	_ = json.Unmarshal(body, &answer)
	last := segs[len(segs)-1]
	if !strings.HasPrefix(last, ":") && !strings.HasPrefix(last, "*") {
		switch {
		case method == http.MethodPost && strings.HasSuffix(last, "s"):
			e.ObjectType = singular(last)
			e.ObjectID, _ = answer["id"].(string)
			if e.ObjectID == "" {
				e.ObjectID, _ = answer[e.ObjectType+"_id"].(string)
			}
			if e.ObjectID != "" {
				e.Refs[e.ObjectType] = e.ObjectID
			}
		case method == http.MethodPost:
			e.Action = last
			if e.ObjectType == "" {
				e.ObjectType = last
			}
		default:
			e.ObjectType = last
		}
	}
	for k, v := range answer {
		if s, ok := v.(string); ok && strings.HasSuffix(k, "_id") && len(s) <= 200 {
			e.Details = setKey(e.Details, k, s)
		}
	}
	if len(e.Refs) == 0 {
		e.Refs = nil
	}
	return e
}

func singular(s string) string { return strings.TrimSuffix(s, "s") }

type auditResponse struct {
	Items      []models.AuditEntry `json:"items"`
	NextCursor string              `json:"next_cursor"`
}

// listAudit handles GET /v1/audit (admin): newest first, filtered by key,
// object (an id the change named), object_type, since and until (RFC 3339).
func (s *Server) listAudit(c *gin.Context) {
	if s.Audit == nil {
		fail(c, &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Message: "the audit log is not configured on this server"})
		return
	}
	q := redisq.AuditQuery{KeyID: c.Query("key"), Object: c.Query("object"), ObjectType: c.Query("object_type"),
		Cursor: c.Query("cursor")}
	if len(q.KeyID) > 100 || len(q.Object) > 200 || len(q.ObjectType) > 100 || len(q.Cursor) > 100 {
		fail(c, badData("query parameter too long", nil))
		return
	}
	pg, err := readPage(c)
	if err != nil {
		fail(c, err)
		return
	}
	q.Limit, q.Since, q.Until = pg.Limit, pg.Since, pg.Until
	items, next, err := s.Audit.AuditLog(c.Request.Context(), q)
	if err != nil {
		fail(c, err)
		return
	}
	if items == nil {
		items = []models.AuditEntry{}
	}
	c.JSON(http.StatusOK, auditResponse{Items: items, NextCursor: next})
}
