# The two commands: `make up` runs the platform locally, `make test` runs every test.
# Both install what the machine lacks first (scripts/install-deps.sh).
SHELL := /bin/bash
# Node.js from .node-version: scripts/install-deps.sh puts it in .tools/node when the system's is another one.
export PATH := $(CURDIR)/.tools/node/bin:$(PATH)
NX := npx nx
export UV_PYTHON_DOWNLOADS := never
export NX_NO_CLOUD := true
export NX_DAEMON := false

.PHONY: up test deps build lint typecheck synth clean training-worker

deps:
	@bash scripts/install-deps.sh
	@echo "node $$(node --version), npm $$(npm --version)"

build: deps
	@$(NX) run-many -t build --outputStyle=static

lint: deps
	@$(NX) run-many -t lint --outputStyle=static

typecheck: deps
	@$(NX) run-many -t typecheck --outputStyle=static

## up: train the demo model if none exists, then start the platform on http://localhost:8000
up: build
	@bash scripts/up.sh

## training-worker: a training worker only (consumes the `training` queue; `make up` starts one too)
training-worker: build
	@node backend/dist/training-worker.js

## test: lint, type-check, OpenAPI drift, then every suite (jest/vitest per workspace, the dashboard in Chromium,
## pytest for the trainer), totalled
test: build
	@rm -rf test-results && mkdir -p test-results
	@$(NX) run-many -t lint typecheck --outputStyle=static
	@npm run --silent openapi:check -w backend
	@status=0; \
	$(NX) run-many -t test --parallel=1 --outputStyle=static || status=1; \
	$(NX) run-many -t e2e --parallel=1 --outputStyle=static || status=1; \
	(cd ml/trainer && uv run --frozen --all-groups pytest -q --junitxml=../../test-results/pytest-trainer.xml) || status=1; \
	node scripts/test-summary.mjs test-results || status=1; \
	exit $$status

## synth: the AWS CloudFormation templates into infra/cdk.out (offline; a cdk-nag finding fails it)
synth: build
	@$(NX) run @housing/infra:synth --outputStyle=static

clean:
	rm -rf node_modules */node_modules */dist test-results .nx ml/trainer/.venv
