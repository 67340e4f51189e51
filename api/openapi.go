package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openapiDoc is the OpenAPI 3 document of the whole API; openapi_test.go
// proves every route is in it and that real answers validate against it.
//
//go:embed openapi.json
var openapiDoc []byte

// openapi handles GET /openapi.json.
func openapi(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/json", openapiDoc)
}
