#!/usr/bin/env bash
# Batch-prediction benchmark: end to end (API + worker processes + Redis + SQLite + local artifact store)
# vs the in-process ceiling (scoreCsv to /dev/null) vs the seeds' way (pandas + XGBoost), on the
# full-size generated HouseTS file; then queue throughput with 1, 2 and 4 worker processes.
#
#   bench/batch/run.sh            # N=3 runs of each, interleaved
#   N=5 bench/batch/run.sh
#
# Environment: N (default 3), CSV (default data/generated/housets-full.csv, generated when missing),
# WORK (model and native booster cache, default $TMPDIR/bench-batch), WORKERS (default 1,2,4),
# KEEP_WORK=1 keeps the scratch directory of the run (logs of the API and workers).
# Writes bench/results/batch.json and bench/results/batch.md. Not a test: nothing here asserts.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
N="${N:-3}"
CSV="${CSV:-$ROOT/data/generated/housets-full.csv}"
WORK="${WORK:-${TMPDIR:-/tmp}/bench-batch}"
WORKERS="${WORKERS:-1,2,4}"
TRAINER="$ROOT/ml/trainer"
PY="$TRAINER/.venv/bin/python"
RESULTS="$ROOT/bench/results"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

command -v redis-server >/dev/null || { echo "redis-server is needed (Debian package redis-server)" >&2; exit 1; }

log "building ml and backend"
(cd "$ROOT/ml" && npx tsc -p tsconfig.build.json)
(cd "$ROOT/backend" && npx tsc -p tsconfig.build.json)

if [[ ! -s "$CSV" ]]; then
  log "generating $CSV (full size)"
  mkdir -p "$(dirname "$CSV")"
  node "$ROOT/ml/dist/cli/main.js" generate --size full --out "$CSV"
fi

mkdir -p "$WORK"
if [[ ! -s "$WORK/model/manifest.json" ]]; then
  log "training the model (ml train --fast) on $CSV"
  node "$ROOT/ml/dist/cli/main.js" train --fast --data "$CSV" --out "$WORK/model" >&2
fi

if ! "$PY" -c 'import pandas, xgboost' 2>/dev/null; then
  log "installing the trainer's bench extra (pandas, pyarrow)"
  (cd "$TRAINER" && UV_PYTHON_DOWNLOADS=never uv sync --frozen --all-groups --extra bench --inexact)
fi
if [[ ! -s "$WORK/seeds.ubj" || "$WORK/seeds.ubj" -ot "$WORK/model/manifest.json" ]]; then
  log "training the seeds' native XGBoost booster (same hyper-parameters and rounds as the package)"
  "$PY" "$HERE/seeds_way.py" --csv "$CSV" --manifest "$WORK/model/manifest.json" --booster "$WORK/seeds.ubj" --train >&2
fi

mkdir -p "$RESULTS"
node "$HERE/bench.js" --csv "$CSV" --model "$WORK/model" --runs "$N" --python "$PY" --booster "$WORK/seeds.ubj" \
  --workers "$WORKERS" --out "$RESULTS/batch.json" --md "$RESULTS/batch.md"
cat "$RESULTS/batch.md"
