package api

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// webFiles is the review page: plain HTML, CSS and JS, no build step.
//
//go:embed web
var webFiles embed.FS

// pageCSP lets the page load only its own files, call only this API, and show
// images it fetched itself (blob: URLs made from GET /v1/listings/{id}/images).
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// webRoutes serves the review page at / with its files under /ui/, and the
// OpenAPI document at /openapi.json.
func (s *Server) webRoutes(r *gin.Engine) {
	sub, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // the embedded tree always has web/
	}
	index, err := fs.ReadFile(sub, "index.html")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/ui/", http.FileServer(http.FS(sub)))
	r.GET("/openapi.json", openapi)
	r.GET("/", func(c *gin.Context) {
		pageHeaders(c)
		c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	})
	r.GET("/ui/*file", func(c *gin.Context) {
		name := strings.TrimPrefix(c.Param("file"), "/")
		if name == "" || name == "index.html" || strings.HasSuffix(name, "/") {
			fail(c, notFound("file"))
			return
		}
		if _, err := fs.Stat(sub, name); err != nil {
			fail(c, notFound("file"))
			return
		}
		pageHeaders(c)
		files.ServeHTTP(c.Writer, c.Request)
	})
}

func pageHeaders(c *gin.Context) {
	c.Header("Content-Security-Policy", pageCSP)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", "no-cache")
}
