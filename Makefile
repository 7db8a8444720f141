# tinhso — the two commands that matter: `make run` and `make test`.
CARGO ?= cargo
TINHSO_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TINHSO_TEST_NATS_URL ?= nats://127.0.0.1:4222

.PHONY: run test test-services test-console services-up fuzz-api k8s-check compose-check bench lint build fmt clean

## run: start the whole platform in one process (SQLite + in-process bus under ./.tinhso)
run:
	$(CARGO) run -p tinhso -- dev

## test: every suite on SQLite and the in-process bus; needs no database or broker
test:
	$(CARGO) test --workspace

## test-services: the same suites on PostgreSQL + NATS JetStream (fails loudly if unreachable)
test-services: services-up
	TINHSO_TEST_DATABASE_URL=$(TINHSO_TEST_DATABASE_URL) TINHSO_TEST_NATS_URL=$(TINHSO_TEST_NATS_URL) \
		$(CARGO) test --workspace

services-up:
	@bash scripts/check-services.sh "$(TINHSO_TEST_DATABASE_URL)" "$(TINHSO_TEST_NATS_URL)"

## fuzz-api: schemathesis against `tinhso dev` from the generated OpenAPI (FUZZ_EXAMPLES per route)
fuzz-api:
	bash scripts/fuzz-api.sh

## k8s-check: render every kustomize overlay, validate it against the Kubernetes schemas and checkov
k8s-check:
	bash scripts/k8s-check.sh

## test-console: the console's browser tests in headless Chromium (Debian's, pinned; installed once)
test-console:
	bash scripts/browser-tests.sh

## compose-check: validate deploy/compose.yaml (Compose Specification) and the ports services call
compose-check:
	bash scripts/compose-check.sh

## bench: benchmarks (figures go to docs/benchmarks.md)
bench:
	$(CARGO) run --release -p tinhso-bench

## lint: formatting and clippy with warnings as errors
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## build: release binaries
build:
	$(CARGO) build --workspace --release

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
