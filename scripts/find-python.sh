#!/usr/bin/env bash
# Prints the path of a Python interpreter for a uv project: the minor version its pyproject.toml's
# requires-python names (">=3.13,<3.14" -> 3.13), never a download (UV_PYTHON_DOWNLOADS=never).
#   scripts/find-python.sh ml/trainer
# uv's own discovery first (a system python3.13, as on Debian trixie and in CI); then pyenv's
# installs, which uv does not see while pyenv's global version is another one. Any patch release.
set -euo pipefail
project=${1:?usage: scripts/find-python.sh <uv project directory>}
minor=$(sed -n 's/^requires-python *= *">=\([0-9]*\.[0-9]*\).*/\1/p' "$project/pyproject.toml")
[ -n "$minor" ] || { echo "$project/pyproject.toml: no requires-python \">=X.Y…\"" >&2; exit 1; }
if found=$(UV_PYTHON_DOWNLOADS=never uv python find --no-project "$minor" 2>/dev/null); then
  echo "$found"
  exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
  version=$(pyenv versions --bare 2>/dev/null | grep -E "^${minor//./\\.}\.[0-9]+$" | sort -V | tail -1 || true)
  if [ -n "$version" ] && [ -x "$(pyenv root)/versions/$version/bin/python$minor" ]; then
    echo "$(pyenv root)/versions/$version/bin/python$minor"
    exit 0
  fi
fi
echo "no Python $minor found (needed by $project): install python$minor (Debian trixie's python3, or pyenv install $minor)" >&2
exit 1
