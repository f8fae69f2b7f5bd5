#!/usr/bin/env bash
# Writes the configuration of `make up PROMETHEUS=1`'s Prometheus to $1 and checks it with promtool
# (`promtool check config`, which also checks the rule files it names); exits non-zero when it is not
# valid. Loopback targets: the API on $PORT (8000), the worker's /metrics on $WORKER_METRICS_PORT (9464)
# and the training worker's on $TRAINING_WORKER_METRICS_PORT (9465), instead of the compose service names of docker/prometheus/prometheus.yml, and the same alert rules.
set -euo pipefail
out="$1"
repo="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$(dirname "$out")"
# JSON is YAML.
cat > "$out" <<YAML
{"global": {"scrape_interval": "15s", "evaluation_interval": "15s"},
 "rule_files": ["$repo/docker/prometheus/alerts.yml"],
 "scrape_configs": [
  {"job_name": "api", "static_configs": [{"targets": ["127.0.0.1:${PORT:-8000}"]}]},
  {"job_name": "worker", "static_configs": [{"targets": ["127.0.0.1:${WORKER_METRICS_PORT:-9464}"]}]},
  {"job_name": "training-worker", "static_configs": [{"targets": ["127.0.0.1:${TRAINING_WORKER_METRICS_PORT:-9465}"]}]}]}
YAML
promtool check config "$out" >&2
