#!/usr/bin/env bash
# The CAS figures of the issue "CAS", measured in one run on this machine:
#  1. `scone cas attest` wall time on loopback against `openssl s_client` doing one
#     mutual-TLS (TLS 1.3) handshake and one request to the same CAS (goal: at most 3x);
#  2. attestation requests per second the CAS sustains with 1 and 8 concurrent clients
#     (bench/cas_attest_bench.cc);
#  3. CAS resident memory when idle (goal: under 30 MB), after the load above.
#   bench/cas_bench.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
bin="$build/bin"
for p in scone cas las cas_attest_bench; do
  [ -x "$bin/$p" ] || { echo "build first: scripts/build.sh release ($bin/$p missing)" >&2; exit 1; }
done
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export SCONE_CLI_CONFIG="$tmp/cli/config.json"

"$bin/las" --platform-dir "$tmp/platform" --socket "$tmp/las.sock" --no-tcp 2>"$tmp/las.log" &
las_pid=$!
pids+=($las_pid)
for _ in $(seq 100); do [ -S "$tmp/las.sock" ] && break; sleep 0.1; done
cat >"$tmp/cas.toml" <<TOML
[database]
path = "$tmp/cas.db"
[api]
api_listen = "127.0.0.1:0"
enclave_listen = "127.0.0.1:0"
[las]
address = "unix:$tmp/las.sock"
TOML
"$bin/cas" -c "$tmp/cas.toml" 2>"$tmp/cas.log" &
cas_pid=$!
pids+=($cas_pid)
for _ in $(seq 200); do grep -q "(api)" "$tmp/cas.log" && break; sleep 0.1; done
addr=$(sed -n 's/.*listening on https:\/\/\(127[0-9.:]*\) (api).*/\1/p' "$tmp/cas.log")
key_hash=$(awk '/CAS key hash:/ {print $7; exit}' "$tmp/cas.log")
token=$(awk '/CAS provisioning token:/ {print $7; exit}' "$tmp/cas.log")
sim="$tmp/platform/sim-root-ca.pem"
printf '[api_identity]\ncommon_name = "bench-cas"\n' >"$tmp/owner.toml"
"$bin/scone" cas provision "$addr" -c "$key_hash" --token "$token" \
  --config-file "$tmp/owner.toml" with-attestation --only_for_testing-sim-root-ca "$sim" >/dev/null

# A client certificate for openssl s_client (mutual TLS, as scone would present).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bench \
  -days 1 -keyout "$tmp/client.key" -out "$tmp/client.pem" 2>/dev/null
body="{\"nonce\":\"$(openssl rand -hex 32)\"}"
printf 'POST /v1/attestation HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
  "$addr" "${#body}" "$body" >"$tmp/request"
printf '%s' "$body" >"$tmp/body"

echo "== 1. scone cas attest vs openssl s_client (mutual TLS handshake + request)" >&2
# hyperfine 1.15 has no --input: both commands run through its shell (whose start-up cost
# hyperfine measures and subtracts), the same for both.
hyperfine --warmup 5 --runs "${RUNS:-50}" --export-json "$tmp/r.json" \
  "$bin/scone cas attest $addr --only_for_testing-sim-root-ca $sim" \
  "openssl s_client -connect $addr -tls1_3 -cert $tmp/client.pem -key $tmp/client.key -quiet <$tmp/request" \
  "curl -sk --tlsv1.3 --cert $tmp/client.pem --key $tmp/client.key -o /dev/null -H 'Content-Type: application/json' --data-binary @$tmp/body https://$addr/v1/attestation" >&2
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, o, c = r[0]["mean"], r[1]["mean"], r[2]["mean"]
print(f"scone cas attest: {a*1e3:.1f} ms  openssl s_client: {o*1e3:.1f} ms  ratio: {a/o:.2f} (goal <= 3)")
# s_client does not disable Nagle's algorithm, so its request can wait for a delayed ACK;
# curl (TCP_NODELAY, like scone) doing the same mutual-TLS request is a second reference.
print(f"curl (same mutual-TLS request): {c*1e3:.1f} ms  scone/curl: {a/c:.2f}")
PY

echo "== 2. attestation requests per second" >&2
SCONE_BENCH_CAS="$addr" "$bin/cas_attest_bench" --benchmark_min_time="${MIN_TIME:-3}" \
  --benchmark_format=json >"$tmp/b.json" 2>/dev/null
python3 - "$tmp/b.json" <<'PY'
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    print(f"{b['name']}: {b['items_per_second']:.0f} requests/s")
PY

# Requests per second depend on what else the machine runs; the CPU time each request
# costs `cas` and `las` (counted by perf) much less so: it compares two builds on a busy
# machine (run them alternately). Virtual machines often lack an instruction counter, so
# task-clock is what is counted.
if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then
  echo "== 2b. CPU cost per attestation (8 clients)" >&2
  perf stat -x, -e task-clock -p "$cas_pid" -o "$tmp/perf.cas" &
  perf_cas=$!
  perf stat -x, -e task-clock -p "$las_pid" -o "$tmp/perf.las" &
  perf_las=$!
  sleep 0.5
  SCONE_BENCH_CAS="$addr" "$bin/cas_attest_bench" --benchmark_min_time="${MIN_TIME:-3}" \
    --benchmark_filter='BM_Attestation/.*threads:8' --benchmark_format=json >"$tmp/p.json" 2>/dev/null
  kill -INT "$perf_cas" "$perf_las"
  wait "$perf_cas" "$perf_las" 2>/dev/null || true
  python3 - "$tmp/p.json" "$tmp/perf.cas" "$tmp/perf.las" <<'PY'
import json, sys
n = sum(b["iterations"] for b in json.load(open(sys.argv[1]))["benchmarks"])
for name, path in (("cas", sys.argv[2]), ("las", sys.argv[3])):
    counts = {}
    for line in open(path):
        f = line.strip().split(",")
        if len(f) > 2 and f[0] and f[0][0].isdigit():
            counts[f[2]] = float(f[0])
    print(f"{name}: {counts['task-clock'] / n:.2f} ms CPU per attestation ({n} requests)")
PY
fi

echo "== 3. idle memory" >&2
sleep 2
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$cas_pid/status")
echo "cas resident memory when idle: $((rss_kb / 1024)) MB (${rss_kb} kB; goal < 30 MB)"
