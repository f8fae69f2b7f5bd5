#!/usr/bin/env bash
# ML-pipeline benchmark: our TypeScript data preparation vs the pandas way, then the model fit.
#
#   bench/ml-pipeline/run.sh            # N=3
#   N=5 bench/ml-pipeline/run.sh
#
# Environment: N (runs per side, default 3), CSV (default data/generated/housets-full-dirty.csv, generated
# when missing), TUNED (1 = also time the tuned pandas variant for context, default 1), TRIALS (default 3),
# TUNE_MAX_ROUNDS (default 2000, the `ml train` default), KEEP_WORK (1 = keep the scratch directory).
# Writes bench/results/ml-pipeline.json and bench/results/ml-pipeline.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
N="${N:-3}"
TUNED="${TUNED:-1}"
TRIALS="${TRIALS:-3}"
TUNE_MAX_ROUNDS="${TUNE_MAX_ROUNDS:-2000}"
CSV="${CSV:-$ROOT/data/generated/housets-full-dirty.csv}"
TRAINER="$ROOT/ml/trainer"
PY="$TRAINER/.venv/bin/python"
RESULTS="$ROOT/bench/results"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-ml-pipeline.XXXXXX")"
RAW="$WORK/raw"
mkdir -p "$RAW"
cleanup() {
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then log "scratch kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- build + inputs
log "building ml"
(cd "$ROOT/ml" && npx tsc -p tsconfig.build.json)

if [[ ! -s "$CSV" ]]; then
  log "generating $CSV (full size, dirty)"
  mkdir -p "$(dirname "$CSV")"
  node "$ROOT/ml/dist/cli/main.js" generate --size full --dirty --out "$CSV.part"
  mv "$CSV.part" "$CSV"
fi

if ! "$PY" -c 'import pandas, pyarrow' 2>/dev/null; then
  log "installing the trainer's bench extra (pandas, pyarrow)"
  (cd "$TRAINER" && UV_PYTHON_DOWNLOADS=never uv sync --frozen --all-groups --extra bench --inexact)
fi

# ------------------------------------------------- data preparation, interleaved
for i in $(seq 1 "$N"); do
  log "run $i/$N: ours (ts_pipeline.js)"
  node "$HERE/ts_pipeline.js" --csv "$CSV" > "$RAW/ts_$i.json"
  log "run $i/$N: pandas (pandas_reference.py --prep-only)"
  "$PY" "$HERE/pandas_reference.py" --csv "$CSV" --prep-only > "$RAW/pandas_$i.json"
  if [[ "$TUNED" == 1 ]]; then
    log "run $i/$N: pandas tuned, for context (pandas_reference.py --prep-only --tuned)"
    "$PY" "$HERE/pandas_reference.py" --csv "$CSV" --prep-only --tuned > "$RAW/pandas_tuned_$i.json"
  fi
done

# ------------------------------------------------------------------------ fits
log "ours: trainModel (ml train --fast path: FAST_PARAMS, max_rounds 300)"
node "$HERE/train_ours.js" --csv "$CSV" --work "$WORK/ours" > "$RAW/train_ours.json"
OURS_WORK="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["work_dir"])' "$RAW/train_ours.json")"

log "pandas: prep + trainer with our config.json (and element-wise comparison of the matrices)"
"$PY" "$HERE/pandas_reference.py" --csv "$CSV" --config "$OURS_WORK/config.json" --compare "$OURS_WORK" \
  --work "$WORK/pandas-fit" > "$RAW/pandas_fit.json"

log "tuning: trainer on our matrices with trials=$TRIALS, max_rounds $TUNE_MAX_ROUNDS"
TUNE="$WORK/tune"
mkdir -p "$TUNE"
for f in "$OURS_WORK"/*.npy; do ln -s "$f" "$TUNE/"; done
"$PY" - "$OURS_WORK/config.json" "$TUNE/config.json" "$TRIALS" "$TUNE_MAX_ROUNDS" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config.update(trials=int(sys.argv[3]), fixed_params=None, max_rounds=int(sys.argv[4]))
json.dump(config, open(sys.argv[2], "w"))
EOF
(cd "$TRAINER" && "$PY" -m housing_trainer train --data "$TUNE" --out "$TUNE/out" > /dev/null)
"$PY" - "$TUNE" > "$RAW/tune.json" <<'EOF'
import json, sys
from pathlib import Path
d = Path(sys.argv[1])
config = json.load(open(d / "config.json"))
config.pop("feature_names")
metrics = json.load(open(d / "out" / "metrics.json"))
print(json.dumps({
    "config": config,
    "timings": json.load(open(d / "out" / "timings.json")),
    "trials": json.load(open(d / "out" / "trials.json")),
    "params": json.load(open(d / "out" / "params.json")),
    "holdout": metrics["holdout"],
}, indent=2))
EOF

# ---------------------------------------------------------------------- report
log "writing $RESULTS/ml-pipeline.{json,md}"
"$PY" "$HERE/report.py" --raw "$RAW" --n "$N" --started "$STARTED" --load-start "$LOAD_START" \
  --csv "${CSV#"$ROOT/"}" --json "$RESULTS/ml-pipeline.json" --md "$RESULTS/ml-pipeline.md"
cat "$RESULTS/ml-pipeline.md"
