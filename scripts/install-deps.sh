#!/usr/bin/env bash
# Installs everything cadre needs to build and test, from Debian's packages only.
# Idempotent: packages already present are left alone, and apt's lists are only
# refreshed when something is missing. Safe to run as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates tzdata
  libboost1.81-dev libboost-json1.81-dev
  libabsl-dev
  libsqlite3-dev sqlite3
  libmuparser-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format binutils python3 python3-venv abigail-tools
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
