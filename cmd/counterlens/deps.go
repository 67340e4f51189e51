package main

import (
	_ "github.com/corona10/goimagehash"
	_ "github.com/gin-gonic/gin"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/oklog/ulid/v2"
	_ "github.com/otiai10/gosseract/v2"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/srwiley/oksvg"
	_ "github.com/srwiley/rasterx"
	_ "gocv.io/x/gocv"
	_ "golang.org/x/image/webp"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/text/unicode/norm"
)

func main() {}
