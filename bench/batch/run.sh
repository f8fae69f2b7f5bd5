#!/usr/bin/env bash
# Batch-prediction benchmark (issue 14's measure): the full-size generated HouseTS file as one job end to
# end (API + worker processes + Redis + SQLite + local artifact store) with 1 and 2 worker processes, and
# with 1 worker of an older build (OLD, default commit 5003058: the worker before the row plan and the
# shards); a tenth of the file for the peak-RSS ratio; the predecessor's way (pandas + native XGBoost +
# to_csv) and a tuned pandas + native XGBoost predict-only run; then one CPU profile of each build's worker.
#
#   bash bench/batch/run.sh        # N=3 interleaved rounds (about 12 minutes on the shared 2-core machine)
#   N=5 bash bench/batch/run.sh
#
# Environment: N (default 3), CSV (default data/generated/housets-full.csv, generated when missing),
# WORK (model and native booster cache, default $TMPDIR/bench-batch), OLD (the old build's checkout,
# default $TMPDIR/bench-old, made with `git worktree add` at OLD_REF and built when missing), OLD_REF
# (default 5003058), KEEP_WORK=1 keeps the scratch directory of the run (logs, profiles).
# Writes bench/results/batch.json and bench/results/batch.md. Not a test: nothing here asserts.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
N="${N:-3}"
CSV="${CSV:-$ROOT/data/generated/housets-full.csv}"
WORK="${WORK:-${TMPDIR:-/tmp}/bench-batch}"
OLD="${OLD:-${TMPDIR:-/tmp}/bench-old}"
OLD_REF="${OLD_REF:-5003058}"
TRAINER="$ROOT/ml/trainer"
PY="$TRAINER/.venv/bin/python"
RESULTS="$ROOT/bench/results"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

command -v redis-server >/dev/null || { echo "redis-server is needed (Debian package redis-server)" >&2; exit 1; }

log "building ml and backend"
(cd "$ROOT/ml" && npx tsc -p tsconfig.build.json)
(cd "$ROOT/backend" && npx tsc -p tsconfig.build.json)

if [[ ! -s "$OLD/backend/dist/worker.js" ]]; then
  log "building the old side: $OLD_REF in $OLD"
  [[ -d "$OLD" ]] || git -C "$ROOT" worktree add --detach "$OLD" "$OLD_REF"
  # Hard links: the old checkout gets this checkout's dependencies without copying them.
  [[ -d "$OLD/node_modules" ]] || cp -al "$ROOT/node_modules" "$OLD/node_modules"
  [[ -d "$OLD/backend/node_modules" || ! -d "$ROOT/backend/node_modules" ]] || cp -al "$ROOT/backend/node_modules" "$OLD/backend/node_modules"
  (cd "$OLD/ml" && npx tsc -p tsconfig.build.json)
  (cd "$OLD/backend" && npx tsc -p tsconfig.build.json)
fi

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

if ! "$PY" -c 'import pandas, pyarrow, xgboost' 2>/dev/null; then
  log "installing the trainer's bench extra (pandas, pyarrow)"
  (cd "$TRAINER" && UV_PYTHON_DOWNLOADS=never uv sync --frozen --all-groups --extra bench --inexact)
fi
if [[ ! -s "$WORK/seeds.ubj" || "$WORK/seeds.ubj" -ot "$WORK/model/manifest.json" ]]; then
  log "training the seeds' native XGBoost booster (same hyper-parameters and rounds as the package)"
  "$PY" "$HERE/seeds_way.py" --csv "$CSV" --manifest "$WORK/model/manifest.json" --booster "$WORK/seeds.ubj" --train >&2
fi

mkdir -p "$RESULTS"
node "$HERE/bench.js" --csv "$CSV" --model "$WORK/model" --runs "$N" --python "$PY" --booster "$WORK/seeds.ubj" \
  --old "$OLD" --old-ref "commit $(git -C "$OLD" rev-parse --short HEAD)" --out "$RESULTS/batch.json" --md "$RESULTS/batch.md"
cat "$RESULTS/batch.md"
