#!/usr/bin/env bash
# `make up`: everything locally on the embedded defaults (SQLite, local artifact directory), plus a
# loopback Redis. Trains the demo model when none exists, registers and promotes it, and serves the API
# (with Swagger UI and the dashboard) on http://localhost:${PORT:-8000}. Ctrl-C stops everything.
# PROMETHEUS=1 (`make up PROMETHEUS=1`) also starts Prometheus (Debian package) on loopback, scraping the
# API, the worker and the training worker with the alert rules of docker/prometheus/alerts.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
export PORT="${PORT:-8000}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export UV_PYTHON_DOWNLOADS=never
mkdir -p .data data/generated models

# The admin key of this checkout: generated once, kept out of git (.data/ is ignored), readable only by you.
if [ -z "${BOOTSTRAP_ADMIN_KEY:-}" ]; then
  if [ ! -s .data/admin-key ]; then
    (umask 077 && node -e "process.stdout.write('hp_' + require('crypto').randomBytes(32).toString('base64url'))" > .data/admin-key)
  fi
  BOOTSTRAP_ADMIN_KEY="$(cat .data/admin-key)"
fi
export BOOTSTRAP_ADMIN_KEY

# Data: the real HouseTS file when the user has put it in place, else the generated demo set.
if [ -f data/raw/HouseTS.csv ]; then
  data=data/raw/HouseTS.csv
  model_dir=models/housets-real
else
  data=data/generated/housets-demo.csv
  model_dir=models/housets-demo
  [ -f "$data" ] || node ml/dist/cli/main.js generate --size demo --dirty --out "$data"
fi
if [ ! -f "$model_dir/manifest.json" ]; then
  echo "training the demo model on $data (fast mode) ..."
  node ml/dist/cli/main.js train --data "$data" --out "$model_dir" --fast >/dev/null
fi
[ -f "$model_dir.tar.gz" ] && [ "$model_dir.tar.gz" -nt "$model_dir/manifest.json" ] || node ml/dist/cli/main.js pack --model "$model_dir" --out "$model_dir.tar.gz"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

redis_port="$(node -e "console.log(new URL(process.env.REDIS_URL).port || 6379)")"
if ! (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$PWD/.data" --save 60 1 --appendonly no --logfile "$PWD/.data/redis.log" &
  pids+=($!)
fi

node backend/dist/main.js > .data/api.log 2>&1 &
pids+=($!)
if [ -f backend/dist/worker.js ]; then
  node backend/dist/worker.js > .data/worker.log 2>&1 &
  pids+=($!)
fi
# Training runs (POST /v1/training-runs): their own process kind, the trainer at a lower CPU priority.
if [ -f backend/dist/training-worker.js ]; then
  node backend/dist/training-worker.js > .data/training-worker.log 2>&1 &
  pids+=($!)
fi

if [ "${PROMETHEUS:-0}" = "1" ]; then
  command -v prometheus >/dev/null && command -v promtool >/dev/null || { echo "PROMETHEUS=1 needs the Debian package prometheus (scripts/install-deps.sh installs it as root)" >&2; exit 1; }
  prometheus_port="${PROMETHEUS_PORT:-9090}"
  mkdir -p .data/prometheus
  # loopback targets instead of compose's service names, checked with promtool before it starts
  scripts/prometheus-config.sh .data/prometheus/prometheus.yml 2>> .data/prometheus.log \
    || { echo "the Prometheus configuration does not pass promtool check config; see .data/prometheus.log" >&2; exit 1; }
  prometheus --config.file=.data/prometheus/prometheus.yml --storage.tsdb.path=.data/prometheus/data \
    --web.listen-address="127.0.0.1:$prometheus_port" > .data/prometheus.log 2>&1 &
  pids+=($!)
fi

base="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  curl -fs "$base/health/live" >/dev/null 2>&1 && break
  sleep 0.3
done
curl -fs "$base/health/live" >/dev/null || { echo "the API did not start; see .data/api.log" >&2; tail -20 .data/api.log >&2; exit 1; }

key_header="x-api-key: $BOOTSTRAP_ADMIN_KEY"
current="$(curl -s -H "$key_header" "$base/v1/models/current" || true)"
if ! grep -q '"version"' <<<"$current"; then
  echo "registering and promoting the demo model ..."
  registered="$(curl -fsS -H "$key_header" -F "package=@$model_dir.tar.gz" "$base/v1/models")"
  name="$(node -e "console.log(JSON.parse(process.argv[1]).name)" "$registered")"
  version="$(node -e "console.log(JSON.parse(process.argv[1]).version)" "$registered")"
  curl -fsS -X PUT -H "$key_header" -H 'content-type: application/json' -d '{"stage":"production"}' \
    "$base/v1/models/$name/versions/$version/stage" >/dev/null
fi

cat <<MSG

  Housing price platform is up.
    Dashboard  http://localhost:$PORT/
    Swagger UI http://localhost:$PORT/docs
    Admin key  stored in .data/admin-key (send it as X-API-Key)
    Logs       .data/api.log, .data/worker.log, .data/training-worker.log

  Ctrl-C stops it.
MSG
if [ "${PROMETHEUS:-0}" = "1" ]; then
  echo "  Prometheus http://localhost:${PROMETHEUS_PORT:-9090}/alerts (scrapes the API, the worker's :${WORKER_METRICS_PORT:-9464} and the training worker's :${TRAINING_WORKER_METRICS_PORT:-9465}; log .data/prometheus.log)"
fi
wait -n "${pids[@]}"
