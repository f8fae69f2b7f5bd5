#!/usr/bin/env bash
# Operations benchmark: the worker's /metrics endpoint cost, and dataset registration time and API
# memory on the full-size generated HouseTS CSV (~190 MB) vs a tenth of it (flat memory = streaming).
#
#   bench/ops/run.sh           # N=2 rounds (the machine is shared: kept short on purpose)
#
# Environment: N (rounds, default 2), SCRAPES (default 300), CSV (default data/generated/housets-full.csv,
# generated when missing), KEEP_WORK=1 keeps the scratch directory. Writes bench/results/ops.{json,md}.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export PATH="$ROOT/.tools/node/bin:$PATH"
CSV="${CSV:-$ROOT/data/generated/housets-full.csv}"
command -v redis-server >/dev/null || { echo "redis-server is needed (Debian package redis-server)" >&2; exit 1; }
(cd "$ROOT/ml" && npx tsc -p tsconfig.build.json)
(cd "$ROOT/backend" && npx tsc -p tsconfig.build.json)
if [[ ! -s "$CSV" ]]; then
  mkdir -p "$(dirname "$CSV")"
  node "$ROOT/ml/dist/cli/main.js" generate --size full --out "$CSV"
fi
TENTH="${TMPDIR:-/tmp}/bench-ops-tenth.csv"
lines=$(wc -l < "$CSV")
head -n $(( lines / 10 )) "$CSV" > "$TENTH"
node "$HERE/bench.mjs" "$CSV" "$TENTH"
rm -f "$TENTH"
node "$HERE/report.mjs" > "$ROOT/bench/results/ops.md"
cat "$ROOT/bench/results/ops.md"
