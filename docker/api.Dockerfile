# syntax=docker/dockerfile:1.7
# The api and the worker: one image, two commands.
#   api     node backend/dist/main.js     (the default CMD; HTTP on $PORT, 8000)
#   worker  node backend/dist/worker.js   (compose: command: ["node", "backend/dist/worker.js"])
# Build from the repository root:  docker build -f docker/api.Dockerfile -t housing/api .

# ---- manifests: the npm workspace manifests alone, so `npm install` is re-run only when they change
FROM node:24.22.3-trixie-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && cp package.json package-lock.json .npmrc /manifests/ \
 && for manifest in */package.json; do \
      mkdir -p "/manifests/${manifest%/package.json}" && cp "$manifest" "/manifests/$manifest"; \
    done

# ---- build: the project's own steps (npm install, nx build) for the two workspaces the image runs
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

# ---- prod: production dependencies only (native modules built here, where the toolchain is), plus the build output
# (onnxruntime-node ships binaries for every platform: only this platform's are kept, about 250 MB less)
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

# ---- runtime
FROM node:24.22.3-trixie-slim AS runtime
LABEL org.opencontainers.image.title="housing-platform api/worker" \
      org.opencontainers.image.description="Housing price platform: REST API (default) and BullMQ batch worker"
# Amazon RDS certificate authorities, so DATABASE_URL can use sslmode=verify-full against RDS.
ADD --chmod=644 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem
ENV NODE_ENV=production \
    PORT=8000 \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/rds-global-bundle.pem
WORKDIR /app
COPY --from=prod /app /app
COPY docker/healthcheck.js docker/s3-init.js docker/
# The image's `node` user (uid 1000), numeric so runtimes can verify it is not root. The files stay
# root-owned (read-only for the process); the app writes only to /tmp and the artifact store.
USER 1000:1000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "docker/healthcheck.js"]
CMD ["node", "backend/dist/main.js"]
