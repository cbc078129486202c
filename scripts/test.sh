#!/usr/bin/env bash
# Runs the whole test suite: Swift unit and HTTP tests against real SQLite files.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
