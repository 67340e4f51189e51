#!/usr/bin/env bash
# logo-dumps-equal.sh A B compares two COUNTERLENS_BENCH_DUMP files of
# BenchmarkLogos (same seed and image count): the detections, with their
# scores, must come in the same order, and the misses must be the same (a
# photo's misses are listed in map order, so they are compared as a set).
# It exits 0 and says so when they agree, 1 with the difference otherwise.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 before.tsv after.tsv" >&2
  exit 2
fi
if diff <(grep -v '^MISS' "$1") <(grep -v '^MISS' "$2") && diff <(sort "$1") <(sort "$2"); then
  echo "same detections and misses: $(grep -vc '^MISS' "$1") detections, $(grep -c '^MISS' "$1") misses"
else
  exit 1
fi
