#!/usr/bin/env bash
# Installs what a fresh machine lacks: Debian packages, npm packages, uv and the trainer's Python venv.
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=()
need() { command -v "$1" >/dev/null 2>&1 || apt_packages+=("$2"); }
need redis-server redis-server
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || apt_packages+=(postgresql)
need chromium chromium
# Prometheus: promtool runs the alert-rule tests, the server the ops tests and `make up PROMETHEUS=1`.
need promtool prometheus
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${apt_packages[*]} (run as root, or: sudo apt-get install ${apt_packages[*]})" >&2
    exit 1
  fi
  echo "installing Debian packages: ${apt_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  # The packages' own services are not used: tests and `make up` start their own on loopback.
  service redis-server stop >/dev/null 2>&1 || true
  service postgresql stop >/dev/null 2>&1 || true
  service prometheus stop >/dev/null 2>&1 || true
fi

# Node.js: the version in .node-version, from the npm registry when the system's is another one.
bash scripts/node-runtime.sh
export PATH="$PWD/.tools/node/bin:$PATH"
# Native addons (better-sqlite3) build against the headers of the Node that runs them.
[ -d .tools/node/include/node ] && export npm_config_nodedir="$PWD/.tools/node"
# onnxruntime-node's install script would download CUDA/TensorRT libraries; the CPU build ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
# swagger-ui-dist's dependency @scarf/scarf reports installs over the network unless told not to.
export SCARF_ANALYTICS=false
node_abi=$(node -p process.versions.modules)

# `npm install`, not `npm ci`: the lock file is written against a registry mirror that serves only this
# platform's builds, so it lacks other platforms' optional binaries (@swc/core-darwin-*, …) and `npm ci`
# rejects it as out of sync. `npm install` keeps every locked version and adds the local platform's binary.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || [ "$(cat node_modules/.node-abi 2>/dev/null)" != "$node_abi" ]; then
  echo "installing npm packages (Node $(node --version))"
  npm install --no-audit --no-fund
  # Packages installed under another Node keep native builds for its ABI: rebuild them for this one.
  [ "$(cat node_modules/.node-abi 2>/dev/null || echo none)" = "$node_abi" ] || npm rebuild --no-audit --no-fund >/dev/null
  echo "$node_abi" > node_modules/.node-abi
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "installing uv"
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
export UV_PYTHON_DOWNLOADS=never
if [ ! -x ml/trainer/.venv/bin/python ] || [ ml/trainer/uv.lock -nt ml/trainer/.venv ] \
  || ! grep -q "^version_info = $(sed -n 's/^requires-python *= *">=\([0-9.]*\),.*/\1/p' ml/trainer/pyproject.toml)\." ml/trainer/.venv/pyvenv.cfg; then
  echo "installing the trainer's Python environment"
  # The interpreter its requires-python names (scripts/find-python.sh): a venv on another Python is replaced.
  python=$(bash scripts/find-python.sh ml/trainer)
  (cd ml/trainer && uv sync --frozen --all-groups --quiet --python "$python" && touch .venv)
fi
# The backend test tools' environment (moto, schemathesis): sync.sh is itself a no-op when it is current.
bash backend/test/pytools/sync.sh
# The ml test tools' environment (a real MLflow tracking server for the MLflow interop test).
bash ml/test-tools/sync.sh
