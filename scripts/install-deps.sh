#!/usr/bin/env bash
# Installs what building, running and testing the broker needs on a fresh
# Debian machine: the system libraries Swift links, and (with --test) the
# Python tools the tests drive. Idempotent: installs only what is missing.
set -euo pipefail

packages=(libsqlite3-dev libargon2-dev libcurl4-openssl-dev libssl-dev pkg-config)
if [[ "${1:-}" == "--test" || "${1:-}" == "--bench" ]]; then
  packages+=(python3-venv postgresql-15 postgresql-client-15 chromium chromium-driver systemd)
fi
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(wrk bc time curl)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
