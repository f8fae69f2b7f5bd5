#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh: checks every checksum, then puts the database and the
# artifact store in place (the current ones are kept aside as *.before-restore-*). Stop the platform first;
# --force replaces existing data.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node/bin:$PATH"
exec node scripts/backup.mjs restore "$@"
