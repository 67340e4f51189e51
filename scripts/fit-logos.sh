#!/usr/bin/env bash
# fit-logos.sh fits the learned decision on shape matches (vision/logo/decide.go):
# it makes BenchmarkLogos' training dumps on seeds 100-107 with our 16 brands (150
# photos each) and on seeds 200-207 with 16 brands drawn by the seed
# (COUNTERLENS_BENCH_BRANDS=random, 75 photos each: 128 other marks, so the model
# learns what a match of any mark looks like, not of ours), each at 16 and at 1,000
# references (COUNTERLENS_BENCH_TRAIN=1: every match the model considers, every
# feature read, labelled by the benchmark's ground truth), keeps their rows in
# vision/logo/testdata/decide-train.tsv and writes the fitted weights to
# vision/logo/decide_weights.go. Seeds 42-48, which the figures are read on, and
# the held-out brands (COUNTERLENS_BENCH_BRANDS=heldout) are never fitted on.
#
# COUNTERLENS_BENCH_DATA: the benchmark data (default .bench); FIT_LOGOS_DIR: where
# the dumps go (default /tmp/fit-logos); FIT_LOGOS_REUSE=1 keeps the dumps already
# there (they do not depend on the weights, only on the features).
set -euo pipefail
cd "${FIT_LOGOS_ROOT:-$(dirname "$0")/..}"
root=$PWD
data=${COUNTERLENS_BENCH_DATA:-$root/.bench}
out=${FIT_LOGOS_DIR:-/tmp/fit-logos}
mkdir -p "$out"
go test -c -o "$out/logo.test" ./vision/logo/
# FIT_LOGOS_JOBS: dumps made at once (default 1; each takes a core).
jobs=${FIT_LOGOS_JOBS:-1}
# dump NAME SEED REFS BRANDS IMAGES makes one training dump, $out/NAME.tsv.
dump() {
  local f=$out/$1.tsv
  if [ "${FIT_LOGOS_REUSE:-}" = 1 ] && [ -s "$f" ]; then
    return
  fi
  echo "fit-logos: seed $2, $3 references, $4 brands" >&2
  COUNTERLENS_BENCH_DATA=$data COUNTERLENS_BENCH_BRANDS=$4 COUNTERLENS_BENCH_IMAGES=$5 \
    COUNTERLENS_BENCH_TRAIN=1 nice -n 5 scripts/logo-bench-once.sh "$out/logo.test" "$2" "$3" "$f.part" "$f.log"
  mv "$f.part" "$f"
}
export -f dump
export data out
# The dumps, one line each: NAME SEED REFS BRANDS IMAGES.
plan=$(
  for seed in 100 101 102 103 104 105 106 107; do
    for refs in 16 1000; do echo "train-$seed-$refs $seed $refs dev 150"; done
  done
  for seed in 200 201 202 203 204 205 206 207; do
    for refs in 16 1000; do echo "train-random-$seed-$refs $seed $refs random 75"; done
  done
)
echo "$plan" | xargs -P "$jobs" -n 5 bash -c 'dump "$@"' dump
dumps=()
while read -r name _; do dumps+=("$out/$name.tsv"); done <<<"$plan"
go run ./vision/logo/decidefit -rows vision/logo/testdata/decide-train.tsv \
  -o vision/logo/decide_weights.go "${dumps[@]}"
