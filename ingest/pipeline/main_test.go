package pipeline

import (
	"os"
	"testing"

	"counterlens/ingest/redisq/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }
