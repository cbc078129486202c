#!/usr/bin/env bash
# Runs every test: the Swift suites (real SQLite files, the real HTTP app), then
# the end-to-end suite, which drives the real broker binary against a real SMTP
# server (aiosmtpd) and a real HTTP SMS gateway sink.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=build/venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r Tests/e2e/requirements.txt

swift build --build-tests
swift test --skip-build
swift build --product broker
BROKER_BIN="$(swift build --show-bin-path)/broker" "$venv/bin/python" -m pytest -q Tests/e2e
