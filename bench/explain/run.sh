#!/usr/bin/env bash
# Explanation cost: exact TreeSHAP per record on the demo model (`ml train --fast` on the generated demo
# HouseTS set, the model `make up` serves), next to the ONNX prediction of the same record.
#
#   bench/explain/run.sh
#
# The package does not carry the covers sidecar yet (trainer change pending, see ml/src/explain/covers.ts),
# so the model is trained with the trainer wrapped by ml/src/test-support/xgb_explain_reference.py, which
# writes trees.json (and XGBoost's pred_contribs, used here to report agreement on the demo model too).
# Environment: CSV (default data/generated/housets-demo.csv, generated when missing), WORK (model cache,
# default $TMPDIR/bench-explain), ROWS (records timed, default 2000), RUNS (default 3).
# Writes bench/results/explain.json and bench/results/explain.md. Not a test: nothing here asserts.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CSV="${CSV:-$ROOT/data/generated/housets-demo.csv}"
WORK="${WORK:-${TMPDIR:-/tmp}/bench-explain}"
PY="$ROOT/ml/trainer/.venv/bin/python"
RESULTS="$ROOT/bench/results"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

log "building ml"
(cd "$ROOT/ml" && npx tsc -p tsconfig.build.json)

if [[ ! -s "$CSV" ]]; then
  log "generating $CSV (demo size)"
  mkdir -p "$(dirname "$CSV")"
  node "$ROOT/ml/dist/cli/main.js" generate --size demo --dirty --out "$CSV"
fi

mkdir -p "$WORK"
if [[ ! -s "$WORK/model/manifest.json" || ! -s "$WORK/reference/trees.json" ]]; then
  rm -rf "$WORK/model" "$WORK/reference"
  log "training the demo model (ml train --fast) with the covers sidecar on $CSV"
  cat >"$WORK/trainer.sh" <<SH
#!/bin/sh
EXPLAIN_REFERENCE_OUT='$WORK/reference' exec '$PY' '$ROOT/ml/src/test-support/xgb_explain_reference.py' "\$@"
SH
  chmod +x "$WORK/trainer.sh"
  ML_TRAINER_PYTHON="$WORK/trainer.sh" node "$ROOT/ml/dist/cli/main.js" train --fast --data "$CSV" --out "$WORK/model" >&2
fi

mkdir -p "$RESULTS"
node "$HERE/bench.js" --csv "$CSV" --model "$WORK/model" --reference "$WORK/reference" \
  --python "$PY" --rows "${ROWS:-2000}" --runs "${RUNS:-3}" --out "$RESULTS/explain.json" --md "$RESULTS/explain.md"
cat "$RESULTS/explain.md"
