#!/usr/bin/env bash
# test.sh runs every test, unit and integration, against a real redis-server
# started here on a free port and stopped on exit, with real tesseract and
# OpenCV. Extra arguments go to `go test` (e.g. -run TestX ./api/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh chromium
export PATH="/usr/local/go/bin:$PATH"
# The real inputs of the demo generator's test (simple-icons, opencv-doc
# photos, fonts), fetched into .bench/ once; the test fails without them.
scripts/bench-data.sh
export GENDEMO_ICONS="$PWD/.bench/simple-icons/icons" GENDEMO_PHOTOS="$PWD/.bench/opencv-data"

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || shuf -i 20000-60000 -n 1)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --databases 1024 \
  --dir "$dir" --daemonize no --logfile "$dir/redis.log" &
redis_pid=$!
cleanup() { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$port" ping >/dev/null || { echo "test: redis-server did not start"; cat "$dir/redis.log"; exit 1; }

export COUNTERLENS_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
# tesseract reads this when its library loads: it must be set before the
# test binaries start (about 7x faster on 2 cores).
export OMP_THREAD_LIMIT=1
# deps.sh installed every package the tests use: a test that would skip for
# a missing one (tesseract languages) fails instead.
export COUNTERLENS_TEST_ALL_DEPS=1

go vet -tags matprofile ./...
if [ $# -eq 0 ]; then set -- ./...; fi
go test -tags matprofile -count=1 -timeout 40m "$@"
