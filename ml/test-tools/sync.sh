#!/usr/bin/env bash
# Syncs the ml test tools (a real MLflow tracking server) into ml/test-tools/.venv, from PyPI through uv.lock.
# Idempotent: does nothing when the venv is already newer than uv.lock and on the Python pyproject.toml names.
set -euo pipefail
cd "$(dirname "$0")"
export UV_PYTHON_DOWNLOADS=never
minor=$(sed -n 's/^requires-python *= *">=\([0-9.]*\),.*/\1/p' pyproject.toml)
if [ -x .venv/bin/mlflow ] && [ ! uv.lock -nt .venv ] && [ ! pyproject.toml -nt .venv ] \
  && grep -q "^version_info = $minor\." .venv/pyvenv.cfg 2>/dev/null; then
  exit 0
fi
if ! command -v uv >/dev/null 2>&1; then
  echo "uv is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
echo "syncing ml/test-tools/.venv" >&2
uv sync --frozen --quiet --python "$(bash ../../scripts/find-python.sh .)"
touch .venv
