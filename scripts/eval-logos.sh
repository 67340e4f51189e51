#!/usr/bin/env bash
# eval-logos.sh runs BenchmarkLogos over several seeds and reference counts and
# prints one markdown table: found, false and missed marks, precision and recall
# per seed, and their totals, as docs/benchmarks.md quotes them.
#
#   scripts/eval-logos.sh                      # seeds 42-48, 16 and 1,000 references
#   EVAL_LOGOS_SEEDS="47 48" EVAL_LOGOS_REFS=1000 scripts/eval-logos.sh
#
# EVAL_LOGOS_BIN: a test binary of vision/logo to run (default: built from this
# checkout), so that a "before" binary can be measured the same way;
# EVAL_LOGOS_JOBS: runs at once (default 1; each takes one core);
# EVAL_LOGOS_DIR: where each run's output and dump are kept (default a new
# temporary folder). Other COUNTERLENS_BENCH_* settings in the environment pass
# through to every run. The CPU column is comparable only between runs that did
# not share a core with other work. Seeds 42-46 are the study seeds, 47 and 48 check seeds,
# 100-107 and 200-207 the decision's training seeds (see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data=${COUNTERLENS_BENCH_DATA:-$root/.bench}
seeds=${EVAL_LOGOS_SEEDS:-42 43 44 45 46 47 48}
refs=${EVAL_LOGOS_REFS:-16 1000}
jobs=${EVAL_LOGOS_JOBS:-1}
out=${EVAL_LOGOS_DIR:-$(mktemp -d /tmp/eval-logos.XXXXXX)}
mkdir -p "$out"
if [ ! -d "$data/simple-icons/icons" ] || [ ! -d "$data/opencv-data" ]; then
  echo "eval-logos: no benchmark data in $data (make bench-data fetches it)" >&2
  exit 2
fi
bin=${EVAL_LOGOS_BIN:-}
if [ -z "$bin" ]; then
  bin=$out/logo.test
  go test -c -o "$bin" ./vision/logo/
fi
bin=$(realpath "$bin")
export bin data out
run() {
  local seed=$1 n=$2
  COUNTERLENS_BENCH_DATA=$data scripts/logo-bench-once.sh "$bin" "$seed" "$n" \
    "$out/dump-$seed-$n.tsv" "$out/run-$seed-$n.log" ||
    { echo "eval-logos: seed $seed, $n references failed: see $out/run-$seed-$n.log" >&2; return 1; }
}
export -f run
for n in $refs; do for s in $seeds; do echo "$s $n"; done; done |
  xargs -P "$jobs" -n 2 bash -c 'run "$0" "$1"'
echo "runs and dumps: $out"
for n in $refs; do
  echo
  echo "$n references:"
  echo
  echo "| seed | found | false | missed | precision | recall | median IoU | CPU ms/photo |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  for s in $seeds; do
    grep -h "logos refs=$n: seed=$s " "$out/run-$s-$n.log"
  done | awk '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    tp += v["tp"]; fp += v["fp"]; fn += v["fn"]; cpu += v["cpu_ms_per_image"]; k++
    printf "| %s | %d | %d | %d | %.3f | %.3f | %.3f | %.1f |\n", v["seed"], v["tp"], v["fp"], v["fn"],
      v["precision"], v["recall"], v["median_iou"], v["cpu_ms_per_image"]
  } END {
    if (k > 0) printf "| all | %d | %d | %d | %.3f | %.3f | | %.1f |\n", tp, fp, fn,
      tp / (tp + fp > 0 ? tp + fp : 1), tp / (tp + fn > 0 ? tp + fn : 1), cpu / k
  }'
done
