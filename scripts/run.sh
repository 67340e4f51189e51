#!/usr/bin/env bash
# run.sh is `make run`: it installs what is missing, builds, starts a private
# redis-server (AOF on, data under ./var) unless COUNTERLENS_REDIS_URL points
# elsewhere, then the API, a worker and the demo marketplace; it registers the
# demo brands and logos, crawls the demo listings and prints the ranked
# suspicions. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh curl
export PATH="/usr/local/go/bin:$PATH"
make --no-print-directory build

export OMP_THREAD_LIMIT=1
export COUNTERLENS_DATA_DIR="${COUNTERLENS_DATA_DIR:-$PWD/var}"
export COUNTERLENS_ADDR="${COUNTERLENS_ADDR:-127.0.0.1:8080}"
# The demo marketplace runs on this machine, so the fetcher must be allowed to
# reach loopback. Never set this for real monitoring.
export COUNTERLENS_ALLOW_PRIVATE_FETCH="${COUNTERLENS_ALLOW_PRIVATE_FETCH:-true}"
market_addr="${COUNTERLENS_DEMO_ADDR:-127.0.0.1:8090}"
# The demo marketplace's eBay API accepts any client-credentials pair.
export COUNTERLENS_EBAY_CLIENT_ID="${COUNTERLENS_EBAY_CLIENT_ID:-demo}"
export COUNTERLENS_EBAY_CLIENT_SECRET="${COUNTERLENS_EBAY_CLIENT_SECRET:-demo}"
mkdir -p "$COUNTERLENS_DATA_DIR/redis" "$COUNTERLENS_DATA_DIR/log"

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "run: stopping…"
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "run: stopped"
}
trap stop INT TERM EXIT

if [ -z "${COUNTERLENS_REDIS_URL:-}" ]; then
  sock="$COUNTERLENS_DATA_DIR/redis/redis.sock"
  redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 \
    --appendonly yes --dir "$COUNTERLENS_DATA_DIR/redis" \
    --logfile "$COUNTERLENS_DATA_DIR/log/redis.log" &
  pids+=($!)
  export COUNTERLENS_REDIS_URL="unix://$sock"
  for _ in $(seq 100); do redis-cli -s "$sock" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

if [ -z "${COUNTERLENS_ADMIN_KEY:-}" ]; then
  keyfile="$COUNTERLENS_DATA_DIR/admin.key"
  [ -s "$keyfile" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$keyfile")
  COUNTERLENS_ADMIN_KEY=$(cat "$keyfile")
  export COUNTERLENS_ADMIN_KEY
fi

bin/counterlens serve 2>>"$COUNTERLENS_DATA_DIR/log/serve.log" &
pids+=($!)
bin/counterlens worker 2>>"$COUNTERLENS_DATA_DIR/log/worker.log" &
pids+=($!)

api="http://$COUNTERLENS_ADDR"
for _ in $(seq 300); do curl -fsS "$api/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$api/healthz" >/dev/null || { echo "run: the API did not start; see $COUNTERLENS_DATA_DIR/log/serve.log"; exit 1; }

bin/counterlens demo -addr "$market_addr" -data testdata/demo \
  -seed-api "$api" -seed-key "$COUNTERLENS_ADMIN_KEY" 2>>"$COUNTERLENS_DATA_DIR/log/demo.log" &
pids+=($!)

cat <<MSG
run: admin key in $COUNTERLENS_DATA_DIR/admin.key; logs in $COUNTERLENS_DATA_DIR/log/
run: press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}" || true
