#!/usr/bin/env bash
# logo-bench-once.sh BIN SEED REFS DUMP LOG runs one pass of BenchmarkLogos with
# the test binary BIN (go test -c ./vision/logo/) on seed SEED at REFS registered
# logos (16 or 1000), writing every reported detection and missed mark to DUMP and
# the benchmark's output to LOG. The dump is taken at the product's reporting
# floor, 0.5 (COUNTERLENS_BENCH_DUMP alone lowers it to 0.001 for study dumps,
# where the printed precision and recall are not the product's). Other
# COUNTERLENS_BENCH_* settings in the environment pass through; the data folder
# is COUNTERLENS_BENCH_DATA, default .bench. scripts/eval-logos.sh and
# scripts/fit-logos.sh run it.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 BIN SEED REFS DUMP LOG" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "$1")
dump=$(realpath -m "$4")
log=$(realpath -m "$5")
cd "$root/vision/logo"
OMP_THREAD_LIMIT=1 COUNTERLENS_BENCH_DATA=${COUNTERLENS_BENCH_DATA:-$root/.bench} \
  COUNTERLENS_BENCH_SEED=$2 COUNTERLENS_BENCH_IMAGES=${COUNTERLENS_BENCH_IMAGES:-150} \
  COUNTERLENS_BENCH_DUMP_CONF=0.5 COUNTERLENS_BENCH_DUMP=$dump \
  "$bin" -test.run '^$' -test.bench "BenchmarkLogos/refs=$3\$" -test.benchtime 1x \
  -test.timeout 60m >"$log" 2>&1
