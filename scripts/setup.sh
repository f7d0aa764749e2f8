#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, only those that are missing, so a
# second run does nothing and asks no package server anything.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang clang-format clang-tidy libclang-rt-14-dev
  openssl libssl-dev
  libboost-dev libboost-system-dev
  libyaml-cpp-dev libyaml-dev nlohmann-json3-dev libtomlplusplus-dev libcli11-dev
  libsqlite3-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 curl hyperfine
  dpkg-dev file groff-base man-db systemd zsh
  python3-prometheus-client python3-jsonschema python3-yaml
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
