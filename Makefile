# Ninja Order Service — the commands a developer and CI need. See README.md.
SHELL := /bin/bash
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= 2
PYTEST := /usr/bin/python3 -m pytest
CMAKE_FLAGS ?=

DEBIAN_PACKAGES := build-essential cmake ninja-build ccache pkg-config \
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
  libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev libcli11-dev libssl-dev libcurl4-openssl-dev \
  postgresql libpq-dev nats-server libnats-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  clang clang-format clang-tidy \
  python3 python3-pytest python3-requests python3-aiosmtpd wrk nginx-light curl \
  python3-jsonschema prometheus nodejs valgrind strace ca-certificates chromium

# The npm checkers of the e2e suite (tests/conformance/), exactly as package-lock.json pins them.
CONFORMANCE_NPM := tests/conformance/node_modules/.package-lock.json
# The CDK app's toolchain (deploy/aws/), pinned the same way.
CDK_NPM := deploy/aws/node_modules/.package-lock.json
# The console's toolchain (console/: Vite, TypeScript, uPlot, Swagger UI), built into the binary.
CONSOLE_NPM := console/node_modules/.package-lock.json
# The browser tests' drivers (tests/browser/: playwright-core, axe-core); the browser is Debian's chromium.
BROWSER_NPM := tests/browser/node_modules/.package-lock.json

.PHONY: help deps .deps-installed conformance-deps console-deps browser-deps binary build run cluster test unit e2e e2e-cluster e2e-aws servers-test browser-test lambda lambda-test e2e-lambda cdk-deps synth deploy asan fuzz bench format tidy clean

# Lists the targets with the first line of the comment above each.
help:
	@awk '/^# / { if (doc == "") doc = substr($$0, 3); next } /^[a-z][a-z0-9-]*:/ && doc != "" { sub(/:.*/, "", $$1); \
	  printf "  make %-14s %s\n", $$1, doc } { doc = "" }' $(MAKEFILE_LIST)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Installs every Debian package the build, the tests and the benchmark need (idempotent).
deps:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES)
	npm ci --prefix tests/conformance --no-audit --no-fund
	npm ci --prefix deploy/aws --no-audit --no-fund
	npm ci --prefix console --no-audit --no-fund
	npm ci --prefix tests/browser --no-audit --no-fund

# npm ci again only when the lock file changed (npm writes node_modules/.package-lock.json last).
conformance-deps: $(CONFORMANCE_NPM)
$(CONFORMANCE_NPM): tests/conformance/package-lock.json
	npm ci --prefix tests/conformance --no-audit --no-fund

# npm ci of the console's toolchain (the build embeds its output), again only when its lock file changed.
console-deps: $(CONSOLE_NPM)
$(CONSOLE_NPM): console/package-lock.json
	npm ci --prefix console --no-audit --no-fund

# npm ci of the browser tests' drivers, again only when their lock file changed.
browser-deps: $(BROWSER_NPM)
$(BROWSER_NPM): tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund

# npm ci of the CDK app's toolchain (deploy/aws/), again only when its lock file changed.
cdk-deps: $(CDK_NPM)
$(CDK_NPM): deploy/aws/package-lock.json
	npm ci --prefix deploy/aws --no-audit --no-fund

# Other targets install the packages once per machine, then only check for them (no network).
.deps-installed:
	@dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1 || $(MAKE) --no-print-directory deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DNINJA_WERROR=ON $(CMAKE_FLAGS)

# Builds the service binary alone (what make run and the e2e suites need).
binary: .deps-installed console-deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target ninja-orders

# Builds everything: the binary, the unit and contract test binaries.
build: .deps-installed console-deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Runs the service on the embedded default: SQLite file ./ninja-orders.db, in-process bus.
run: binary
	$(BUILD_DIR)/ninja-orders serve

# Real servers for the tests that need them: PostgreSQL and nats-server on free loopback ports in
# a temp dir, stopped afterwards (tests/servers/README.md).
WITH_SERVERS := tests/servers/with-servers --

# The cluster on this machine (deploy/README.md): PostgreSQL, NATS JetStream, two API processes behind
# nginx, a relay and two notifiers on loopback; prints the URL; Ctrl-C stops it and removes its temp dir.
# E.g. make cluster CLUSTER_FLAGS="--port 0 --webhook-allow-private --keep"
cluster: binary
	deploy/local-cluster --bin $(BUILD_DIR)/ninja-orders $(CLUSTER_FLAGS)

# Unit tests and the contract suites on every backend (SQLite, PostgreSQL, NATS), and the console's.
unit: build
	$(WITH_SERVERS) ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
	npm test --prefix console --silent

# Tests of several processes on their own PostgreSQL and NATS servers (the local cluster, faults),
# and on the AWS engines (kill -9 on DynamoDB + SNS/SQS; the tables and queues as boto3 reads them).
CLUSTER_TESTS := tests/e2e/test_local_cluster.py tests/e2e/test_cluster_faults.py
AWS_TESTS := tests/e2e/test_aws_faults.py tests/e2e/test_aws_layout.py

# The whole end-to-end suite on the embedded default (SQLite, in-process bus).
e2e: binary conformance-deps
	NINJA_ORDERS_BIN=$(abspath $(BUILD_DIR))/ninja-orders $(PYTEST) -q tests/e2e $(CLUSTER_TESTS:%=--ignore=%) \
	  $(AWS_TESTS:%=--ignore=%)

# The backend-neutral end-to-end tests again on PostgreSQL + NATS JetStream, then the cluster tests.
e2e-cluster: binary conformance-deps
	$(WITH_SERVERS) env NINJA_E2E_STORE=postgres NINJA_E2E_BUS=nats \
	  NINJA_ORDERS_BIN=$(abspath $(BUILD_DIR))/ninja-orders $(PYTEST) -q tests/e2e $(AWS_TESTS:%=--ignore=%)

# The backend-neutral end-to-end tests on the AWS engines, on moto (DynamoDB + SNS/SQS), the boto3
# layout test and kill -9 of each role.
e2e-aws: binary conformance-deps
	$(WITH_SERVERS) env NINJA_E2E_STORE=dynamodb NINJA_E2E_BUS=sns \
	  NINJA_ORDERS_BIN=$(abspath $(BUILD_DIR))/ninja-orders $(PYTEST) -q tests/e2e $(CLUSTER_TESTS:%=--ignore=%)

# The console and /docs in Debian's chromium, headless, driven by playwright-core (tests/browser/README.md):
# two servers, real webhook receivers, every page, replay, API keys, charts under load, axe-core.
# Screenshots go to build/browser-artifacts.
browser-test: binary browser-deps
	NINJA_ORDERS_BIN=$(abspath $(BUILD_DIR))/ninja-orders NINJA_BROWSER_ARTIFACTS=$(abspath $(BUILD_DIR))/browser-artifacts \
	  tests/browser/run

# The test servers' own tests, and those of the benchmark's AWS request counter.
servers-test: .deps-installed
	$(PYTEST) -q tests/servers bench/test_aws_cost.py

# The Lambda zip for the api, relay and notifier functions (deploy/aws/package/README.md), unpacked
# beside it for the tests.
lambda: binary
	/usr/bin/python3 deploy/aws/package/package_lambda.py --binary $(BUILD_DIR)/ninja-orders \
	  --out $(BUILD_DIR)/lambda/ninja-orders.zip --unpacked $(BUILD_DIR)/lambda/unpacked

# The Lambda tests: the Runtime API emulator's own, the package's (closure, empty root, bootstrap,
# traced opens, reproducible zip, limits), and the packaged functions on the emulator and moto.
lambda-test: lambda
	tests/servers/with-servers --moto -- env NINJA_ORDERS_BIN=$(abspath $(BUILD_DIR))/ninja-orders \
	  NINJA_LAMBDA_PACKAGE=$(abspath $(BUILD_DIR))/lambda/unpacked $(PYTEST) -q tests/lambda

# The e2e suite through the packaged api function behind a local API Gateway (tests/lambda/gateway_front.py):
# REST 1.0 with an API key on /v1, then HTTP API 2.0, each on fresh DynamoDB tables on moto.
e2e-lambda: lambda conformance-deps
	tests/servers/with-servers --moto -- env NINJA_ORDERS_BIN=$(abspath $(BUILD_DIR))/ninja-orders \
	  NINJA_LAMBDA_PACKAGE=$(abspath $(BUILD_DIR))/lambda/unpacked tests/lambda/run_e2e_through_lambda

# The CDK app's offline checks: tsc, jest (assertions, IAM, cdk-nag), cdk synth, cfn-lint; then the
# tables and queues of the template against what `ninja-orders migrate` makes on moto.
synth: cdk-deps binary
	deploy/aws/synth
	tests/servers/with-servers --moto -- env NINJA_ORDERS_BIN=$(abspath $(BUILD_DIR))/ninja-orders \
	  $(PYTEST) -q deploy/aws/test/parity

# Deploys the stack to the AWS account of the current credentials (never in CI; see deploy/aws/README.md;
# run `npx cdk bootstrap` once per account and region). E.g. make deploy CDK_ARGS="-c prefix=acme-"
deploy: lambda cdk-deps
	cd deploy/aws && npx cdk deploy -c lambdaAsset=../../$(BUILD_DIR)/lambda/ninja-orders.zip $(CDK_ARGS)

# The unit, contract and e2e suites again on a Debug build with AddressSanitizer + UBSan. The unit
# tests run in one process (an instrumented process takes ~0.15 s to start, 600 times over in ctest).
# A unity build (16 files per compiler run): a third of the compile time of a cold machine, and
# the Release build keeps checking that each file compiles on its own.
asan: .deps-installed conformance-deps console-deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNINJA_WERROR=ON -DNINJA_SANITIZE=ON \
	  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 $(CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	$(WITH_SERVERS) sh -c '$(ASAN_DIR)/tests/unit_tests --gtest_brief=1 && \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) --label-exclude unit'
	NINJA_ORDERS_BIN=$(abspath $(ASAN_DIR))/ninja-orders NINJA_ORDERS_SANITIZED=1 $(PYTEST) -q tests/e2e \
	  $(CLUSTER_TESTS:%=--ignore=%) $(AWS_TESTS:%=--ignore=%)

# libFuzzer targets (clang, ASan/UBSan): past crashes replayed, then FUZZ_SECONDS (60) per target.
fuzz: .deps-installed
	JOBS=$(JOBS) fuzz/run

TEST_STEPS := servers-test unit browser-test lambda-test synth e2e e2e-lambda e2e-cluster e2e-aws asan fuzz

# Everything CI runs, step by step, each step's time printed after it (where CI's ~30 min go).
test:
	@total=$$(date +%s); for step in $(TEST_STEPS); do start=$$(date +%s); \
	  $(MAKE) --no-print-directory $$step || { echo "== make $$step FAILED after $$(( $$(date +%s) - start )) s"; exit 1; }; \
	  echo "== make $$step passed in $$(( $$(date +%s) - start )) s"; done; \
	echo "== make test passed in $$(( $$(date +%s) - total )) s"

# The benchmark: ratios against nginx and pgbench on this machine, in one run (bench/README.md), then the
# Lambda function's cold start against the floor of a process that only asks the Runtime API for work.
bench: binary lambda
	bench/run
	tests/servers/with-servers --moto -- env NINJA_ORDERS_BIN=$(abspath $(BUILD_DIR))/ninja-orders \
	  NINJA_LAMBDA_PACKAGE=$(abspath $(BUILD_DIR))/lambda/unpacked /usr/bin/python3 bench/lambda_cold_start.py

# Formats the C++ sources with clang-format.
format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp')

# clang-tidy over src/.
tidy: build
	clang-tidy -p $(BUILD_DIR) --quiet --extra-arg=-Wno-unknown-warning-option $$(git ls-files 'src/*.cpp')

# Removes the build directories.
clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) build-fuzz
