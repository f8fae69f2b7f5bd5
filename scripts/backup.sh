#!/usr/bin/env bash
# Backs up the local platform (SQLite database + file:// artifact store) into DIR (default
# .data/backups/<time>); safe while the API runs. README "Operations" covers Postgres and S3.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node/bin:$PATH"
exec node scripts/backup.mjs backup "$@"
