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
echo "# Verify a real SGX DCAP quote against Intel's root, at a time its collateral was valid:"
step "$S" attestation verify-quote testdata/vectors/automata-v3/quote.bin \
  --collateral testdata/vectors/automata-v3 --at 2025-08-15T05:45:00Z

echo "# A simulated SGX machine: las creates its platform directory on first start and serves"
echo "# a Unix socket, where it measures whoever asks (no TCP: that is a testing-only option)."
"$PWD/build/bin/las" --platform-dir "$work/platform" --socket "$work/las.sock" \
  --tcb-state SWHardeningNeeded 2>"$work/las.log" &
las_pid=$!
trap 'kill $las_pid 2>/dev/null; wait $las_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "listening on unix:" "$work/las.log" && break; sleep 0.1; done
export SCONE_LAS_ADDR="unix:$work/las.sock"
echo "# An enclave asks las for its own quote. Our enclave: a copy of scone, signed for production."
cp "$S" "$work/enclave"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/signer.pem" 2>/dev/null
step "$S" signer sign --key "$work/signer.pem" --isvprodid 7 --isvsvn 2 --production "$work/enclave"
step "$S" signer info "$work/enclave"
step "$work/enclave" las quote --report-data 0123456789abcdef -o "$work/quote.bin"
step "$S" las collateral -o "$work/collateral"
echo "# Without the simulated root the quote is refused; with it, it verifies:"
"$S" attestation verify-quote "$work/quote.bin" --collateral "$work/collateral" || true
step "$S" attestation verify-quote "$work/quote.bin" --collateral "$work/collateral" \
  --only_for_testing-sim-root-ca "$work/platform/sim-root-ca.pem"

echo
echo "# CAS: a new CAS runs as a simulated enclave (signed by this build's release signer),"
echo "# gets its quotes and seal keys from las, and starts unprovisioned."
step "$S" signer info build/bin/cas
cat >"$work/cas.toml" <<TOML
[database]
path = "$work/cas.db"
[api]
api_listen = "127.0.0.1:0"
enclave_listen = "127.0.0.1:0"
[las]
address = "unix:$work/las.sock"
TOML
"$PWD/build/bin/cas" -c "$work/cas.toml" 2>"$work/cas.log" &
cas_pid=$!
trap 'kill $cas_pid $las_pid 2>/dev/null; wait $cas_pid $las_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 200); do grep -q "(api)" "$work/cas.log" && break; sleep 0.1; done
cat "$work/cas.log"
addr=$(sed -n 's/.*listening on https:\/\/\(127[0-9.:]*\) (api).*/\1/p' "$work/cas.log")
echo "# The operator takes the key hash and the one-time token from the log (field 7):"
key_hash=$(awk '/CAS key hash:/ {print $7; exit}' "$work/cas.log")
token=$(awk '/CAS provisioning token:/ {print $7; exit}' "$work/cas.log")
echo "key hash: $key_hash  token: $token"
printf '[api_identity]\ncommon_name = "demo-cas.local"\nalt_names = ["demo-cas.local", "127.0.0.1"]\nemail = "owner@example.com"\n' >"$work/owner.toml"
sim="$work/platform/sim-root-ca.pem"
echo "# Provisioning attests the CAS first (this platform needs SW hardening: -S), then claims it:"
step "$S" cas provision "$addr" -c "$key_hash" --token "$token" --config-file "$work/owner.toml" \
  with-attestation -S --only_for_testing-sim-root-ca "$sim"
step "$S" cas list
step "$S" cas show-identification
echo "# Anyone can attest it again; a second provisioning is refused:"
step "$S" cas attest "$addr" -S --only_for_testing-sim-root-ca "$sim"
"$S" cas provision "$addr" -c "$key_hash" --token "$token" --config-file "$work/owner.toml" \
  with-attestation -S --only_for_testing-sim-root-ca "$sim" || true
echo "# The owner's [api_identity] names the CAS certificate, so curl can check the host name:"
"$S" cas show-certificate "$addr" >"$work/cas-cert.pem"
port=${addr##*:}
step curl -s --cacert "$work/cas-cert.pem" --resolve "demo-cas.local:$port:127.0.0.1" \
  "https://demo-cas.local:$port/v1/version"
echo
echo "# The owner updates the configuration:"
printf '[api_identity]\ncommon_name = "demo-cas.local"\nalt_names = ["demo-cas.local", "127.0.0.1"]\norg_name = "Demo, updated"\n' >"$work/owner2.toml"
step "$S" cas update-config --cas "$addr" --config-file "$work/owner2.toml"
echo
