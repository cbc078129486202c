# The two set-up commands of the README: `make run` and `make test`.
# Both install what they need first (apt packages; you are expected to be root or have sudo).

SWIFT ?= swift
CONFIG ?= config/broker.yaml

.PHONY: deps run build test bench clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

## Serve the broker on its embedded defaults (SQLite under var/, file transports) at 127.0.0.1:8080.
run: build
	$(SWIFT) run broker serve --config $(CONFIG)

## Build and run every test.
test:
	@scripts/install-deps.sh --test
	scripts/test.sh

## Benchmarks against a release build (wrk on loopback); prints tables.
bench:
	@scripts/install-deps.sh --bench
	scripts/bench.sh
	scripts/bench-stores.sh
	scripts/bench-import.sh

clean:
	rm -rf .build build var
