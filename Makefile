# counterlens: `make run` runs the product, `make test` runs every test.
# Both install what is missing (apt packages, via sudo when not root).
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test deps vet bench-logos bench-ocr bench-data clean

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

bench-ocr: bench-data
	OMP_THREAD_LIMIT=1 COUNTERLENS_BENCH_DATA=$(CURDIR)/.bench \
	  go test -run '^$$' -bench BenchmarkOCR -benchtime 1x -cpu 1 -timeout 60m ./vision/ocr/

clean:
	rm -rf bin .bench
