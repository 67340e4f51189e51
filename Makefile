# counterlens: `make run` runs the product, `make test` runs every test.
# Both install what is missing (apt packages, via sudo when not root).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test deps vet bench-logos bench-index bench-ocr bench-data clean
.PHONY: bench-ranking fit-logos eval-logos

build:
	go build -ldflags "$(LDFLAGS)" -o bin/counterlens ./cmd/counterlens

run:
	scripts/run.sh

test:
	scripts/test.sh

deps:
	scripts/deps.sh

vet:
	go vet -tags matprofile ./...

# Benchmarks fetch their real inputs (simple-icons, opencv-doc samples) into
# .bench/ first; see docs/benchmarks.md.
bench-data:
	scripts/bench-data.sh

bench-logos: bench-data
	OMP_THREAD_LIMIT=1 COUNTERLENS_BENCH_DATA=$(CURDIR)/.bench \
	  go test -run '^$$' -bench BenchmarkLogos -benchtime 1x -timeout 60m ./vision/logo/

# The logo benchmark over seeds 42-48 at 16 and 1,000 references, as one table
# (scripts/eval-logos.sh: EVAL_LOGOS_SEEDS, EVAL_LOGOS_REFS, EVAL_LOGOS_JOBS).
eval-logos: bench-data
	COUNTERLENS_BENCH_DATA=$(CURDIR)/.bench scripts/eval-logos.sh

# The logo detector's learned decision on shape matches: training dumps on
# seeds 100-107 (our brands) and 200-207 (brands drawn by the seed), the fit,
# vision/logo/decide_weights.go (about 22 min of a core; the dumps run on every
# core, FIT_LOGOS_JOBS sets how many at once).
fit-logos: bench-data
	COUNTERLENS_BENCH_DATA=$(CURDIR)/.bench FIT_LOGOS_JOBS=$${FIT_LOGOS_JOBS:-$$(nproc)} scripts/fit-logos.sh

# The Redis Hamming index against a linear scan at 1K/100K/1M hashes (needs
# redis-server; fills about 300 MB in a private one).
bench-index:
	go test -run '^$$' -bench BenchmarkHamIndex -benchtime 1000x -timeout 30m ./ingest/redisq/

bench-ocr: bench-data
	OMP_THREAD_LIMIT=1 COUNTERLENS_BENCH_DATA=$(CURDIR)/.bench \
	  go test -run '^$$' -bench BenchmarkOCR -benchtime 1x -cpu 1 -timeout 60m ./vision/ocr/

# Ranking calibration (issue 8): analyses development listings once (cached
# under .bench/ranking/), then measures and fits the score's weights.
bench-ranking: bench-data
	OMP_THREAD_LIMIT=1 COUNTERLENS_BENCH_DATA=$(CURDIR)/.bench \
	  go test -run '^$$' -bench BenchmarkRanking -benchtime 1x -timeout 60m ./cmd/internal/devset/

clean:
	rm -rf bin .bench
