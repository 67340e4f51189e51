package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"counterlens/ingest/crawl"
	"counterlens/ingest/redisq"
	"counterlens/vision/decode"
)

// Error types of API.md; the strings are part of the contract.
const (
	typeBadData          = "bad_data"
	typeUnauthenticated  = "unauthenticated"
	typeForbidden        = "forbidden"
	typeNotFound         = "not_found"
	typeConflict         = "conflict"
	typeTooLarge         = "too_large"
	typeUnsupportedMedia = "unsupported_media"
	typeUndecodable      = "undecodable"
	typeRateLimited      = "rate_limited"
	typeUnavailable      = "unavailable"
	typeCanceled         = "canceled"
	typeInternal         = "internal"
)

// Error is an error with the public message a client may see. The cause
// stays in the log.
type Error struct {
	Status  int
	Type    string
	Message string
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

func badData(msg string, cause error) *Error {
	return &Error{Status: http.StatusBadRequest, Type: typeBadData, Message: msg, Cause: cause}
}

func notFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Type: typeNotFound, Message: what + " not found"}
}

func forbidden(msg string) *Error {
	return &Error{Status: http.StatusForbidden, Type: typeForbidden, Message: msg}
}

// toError maps a domain error to its status, type and public message.
func toError(err error) *Error {
	var e *Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &mbe):
		return &Error{Status: http.StatusRequestEntityTooLarge, Type: typeTooLarge, Message: "request body is over its limit", Cause: err}
	case errors.Is(err, decode.ErrUnsupported):
		return &Error{Status: http.StatusUnsupportedMediaType, Type: typeUnsupportedMedia, Message: "image must be JPEG, PNG, GIF, WebP, BMP or TIFF", Cause: err}
	case errors.Is(err, decode.ErrUndecodable):
		return &Error{Status: http.StatusUnprocessableEntity, Type: typeUndecodable, Message: "image cannot be decoded safely (corrupt, truncated or too many pixels)", Cause: err}
	case errors.Is(err, redisq.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Type: typeNotFound, Message: "not found", Cause: err}
	case errors.Is(err, redisq.ErrConflict):
		return &Error{Status: http.StatusConflict, Type: typeConflict, Message: "already exists", Cause: err}
	case errors.Is(err, redisq.ErrBadCursor):
		return badData("cursor is not valid", err)
	case errors.Is(err, crawl.ErrBusy):
		return &Error{Status: http.StatusConflict, Type: typeConflict, Message: "source is being crawled already", Cause: err}
	case errors.Is(err, redisq.ErrUnavailable), errors.Is(err, redisq.ErrQueueFull):
		return &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Message: "a dependency is unavailable; retry later", Cause: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Message: "the request took too long; retry later", Cause: err}
	case errors.Is(err, context.Canceled):
		return &Error{Status: 499, Type: typeCanceled, Message: "the client went away", Cause: err}
	}
	return &Error{Status: http.StatusInternalServerError, Type: typeInternal, Message: "internal error", Cause: err}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Type      string `json:"type"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
}

// renderErrors writes the error a handler left with c.Error, in the one JSON
// shape of API.md.
func renderErrors(c *gin.Context) {
	c.Next()
	if len(c.Errors) == 0 || c.Writer.Written() {
		return
	}
	writeError(c, c.Errors.Last().Err)
}

// writeError writes err in the one JSON shape of API.md.
func writeError(c *gin.Context, err error) {
	e := toError(err)
	c.JSON(e.Status, errorBody{Error: errorDetail{Type: e.Type, Message: e.Message, RequestID: requestID(c)}})
}

// fail records err for renderErrors and stops the chain.
func fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}
