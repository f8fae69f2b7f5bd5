#!/bin/sh
# Stand-in for the trainer's python (ML_TRAINER_PYTHON) that records the trainer process's peak RSS
# (KiB, GNU time's %M) in $TRAINER_RSS_FILE. Used by train_ours.js when /usr/bin/time exists.
PY="$(cd "$(dirname "$0")/../../ml/trainer/.venv/bin" && pwd)/python"
exec /usr/bin/time -f '%M' -o "$TRAINER_RSS_FILE" "$PY" "$@"
