# syntax=docker/dockerfile:1.7
# The dashboard: the Vite build of dashboard/ served by unprivileged nginx on port 8080 (docker/nginx.conf:
# SPA fallback to index.html, long cache for hashed assets, no-cache for index.html).
# Build from the repository root:  docker build -f docker/dashboard.Dockerfile -t housing/dashboard .

# ---- manifests: the npm workspace manifests alone, so `npm install` is re-run only when they change
FROM node:24.22.3-trixie-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && cp package.json package-lock.json .npmrc /manifests/ \
 && for manifest in */package.json; do \
      mkdir -p "/manifests/${manifest%/package.json}" && cp "$manifest" "/manifests/$manifest"; \
    done

# ---- build: the project's own steps (npm install, nx build) for the dashboard workspace
FROM node:24.22.3-trixie AS build
# npm install as scripts/install-deps.sh runs it: onnxruntime-node downloads no CUDA libraries (the CPU
# build ships in the package), swagger-ui-dist's @scarf/scarf reports nothing over the network.
ENV NX_DAEMON=false NX_NO_CLOUD=true CI=true ONNXRUNTIME_NODE_INSTALL=skip SCARF_ANALYTICS=false
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm install --workspace dashboard --include-workspace-root --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build --projects=@housing/dashboard --outputStyle=static

# ---- runtime: nginx as an unprivileged user (uid 101), listening on 8080
FROM nginxinc/nginx-unprivileged:1.30.0-alpine AS runtime
LABEL org.opencontainers.image.title="housing-platform dashboard" \
      org.opencontainers.image.description="Housing price platform: Vue dashboard (static SPA) on nginx"
COPY docker/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /app/dashboard/dist /usr/share/nginx/html
USER 101
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
