# syntax=docker/dockerfile:1.7
# The trainer: `ml train` (Node, the ml workspace) running the Python trainer (ml/trainer, a uv project)
# as its subprocess, exactly as on a developer machine. Two uses: a one-off `ml train` (the entry point),
# and the training worker (`node backend/dist/training-worker.js`, compose service `training-worker`,
# the ECS training service), which consumes the `training` queue and runs `ml train` as its child.
#   docker run --rm -v "$PWD/data:/data" -v "$PWD/models:/models" housing/trainer \
#     train --data /data/generated/housets-demo.csv --out /models/housets-demo --fast
# Build from the repository root:  docker build -f docker/trainer.Dockerfile -t housing/trainer .

# ---- manifests: the npm workspace manifests alone, so `npm install` is re-run only when they change
FROM node:24.22.3-trixie-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && cp package.json package-lock.json .npmrc /manifests/ \
 && for manifest in */package.json; do \
      mkdir -p "/manifests/${manifest%/package.json}" && cp "$manifest" "/manifests/$manifest"; \
    done

# ---- build: the project's own steps (npm install, nx build) for the ml and backend workspaces
FROM node:24.22.3-trixie AS build
# npm install as scripts/install-deps.sh runs it: onnxruntime-node downloads no CUDA libraries (the CPU
# build ships in the package), swagger-ui-dist's @scarf/scarf reports nothing over the network.
ENV NX_DAEMON=false NX_NO_CLOUD=true CI=true ONNXRUNTIME_NODE_INSTALL=skip SCARF_ANALYTICS=false
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm install --workspace ml --workspace backend --include-workspace-root --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build --projects=@housing/ml,@housing/backend --outputStyle=static

# ---- prod: the ml and backend workspaces' production dependencies (onnxruntime-node for this platform only) and their builds
FROM node:24.22.3-trixie AS prod
ENV ONNXRUNTIME_NODE_INSTALL=skip SCARF_ANALYTICS=false
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm install --omit=dev --workspace backend --workspace ml --no-audit --no-fund \
 && keep="$(node -p 'process.platform + "/" + process.arch')" \
 && for dir in node_modules/onnxruntime-node/bin/napi-v*/*/*; do \
      case "$dir" in */"$keep") ;; *) rm -rf "$dir" ;; esac; \
    done
COPY --from=build /app/ml/dist ml/dist
COPY --from=build /app/ml/specs ml/specs
COPY --from=build /app/backend/dist backend/dist

# ---- runtime: Python 3.13 (the trainer's requires-python) + Node (the ml CLI) + uv
FROM python:3.13.13-slim-trixie AS runtime
LABEL org.opencontainers.image.title="housing-platform trainer" \
      org.opencontainers.image.description="Housing price platform: ml train (TypeScript) + XGBoost/Optuna/ONNX trainer (Python); the training worker"
# libgomp1: XGBoost's OpenMP runtime; libstdc++6: Node and onnxruntime. Unpinned on purpose: the
# python image pins the Debian release, and pinning package versions breaks on every security update.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 libstdc++6 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node:24.22.3-trixie-slim /usr/local/bin/node /usr/local/bin/node
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /usr/local/bin/
ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# The trainer's locked Python environment (ml/trainer/.venv, where `ml train` looks first): the
# dependencies first (cached while uv.lock is unchanged), then the project itself.
WORKDIR /app/ml/trainer
COPY ml/trainer/pyproject.toml ml/trainer/uv.lock ml/trainer/README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY ml/trainer/src src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev
WORKDIR /app
COPY --from=prod /app /app
# uid 1000 (numeric, so runtimes can verify it is not root): the usual host user, so bind-mounted
# data/ and models/ directories are writable.
RUN useradd --create-home --uid 1000 --user-group trainer
USER 1000:1000
HEALTHCHECK NONE
ENTRYPOINT ["node", "ml/dist/cli/main.js"]
CMD ["train", "--help"]
