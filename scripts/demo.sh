#!/usr/bin/env bash
# The main job: sets everything up, builds, and walks through what a user does first.
# Everything happens in a temporary CLI state; nothing under ~ is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh release >/dev/null
S="$PWD/build/bin/scone"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SCONE_CLI_CONFIG="$work/cas/config.json"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$S" --version
echo "# First use creates the CLI state ($SCONE_CLI_CONFIG, mode 0600) with a new identity:"
step "$S" self show
step "$S" self show-key-hash --format json
echo "# Key hashes of other certificates, e.g. for session access policies:"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=colleague \
  -days 30 -keyout "$work/colleague.key" -out "$work/colleague.pem" 2>/dev/null
step "$S" cert show-key-hash "$work/colleague.pem"
if "$S" attestation --help >/dev/null 2>&1; then
  echo "# Verify a real SGX DCAP quote against Intel's root, at a time its collateral was valid:"
  step "$S" attestation verify-quote testdata/vectors/automata-v3/quote.bin \
    --collateral testdata/vectors/automata-v3 --at 2025-08-15T05:45:00Z
fi
