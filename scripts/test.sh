#!/usr/bin/env bash
# Runs every test: the Swift suites (real SQLite files, a real PostgreSQL, the
# real HTTP app), then the end-to-end suite, which drives the real broker binary
# against a real SMTP server (aiosmtpd), an HTTP SMS gateway sink, a real OpenID
# Connect provider (oidc-provider-mock) and, for several instances, PostgreSQL;
# then the browser suite clicks through every page flow in Debian's chromium
# (screenshots land in build/screenshots/).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=build/venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r Tests/e2e/requirements.txt

# A throwaway PostgreSQL cluster for this run, stopped whatever happens.
read -r pgdir pgurl < <(scripts/pg.sh start)
trap 'scripts/pg.sh stop "$pgdir"' EXIT
export BROKER_TEST_POSTGRES_URL=$pgurl

swift build --build-tests
swift test --skip-build
swift build --product broker
BROKER_BIN="$(swift build --show-bin-path)/broker" "$venv/bin/python" -m pytest -q Tests/e2e Tests/browser
