#!/usr/bin/env bash
# Wall time of `scone self show` against `openssl version` on the same machine in one run
# (issue "Foundation": goal at most 2x). Uses hyperfine; prints both means and the ratio.
#   bench/self_show.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build}/bin/scone"
[ -x "$bin" ] || { echo "build first: scripts/build.sh release" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SCONE_CLI_CONFIG="$tmp/config.json"
"$bin" self show >/dev/null  # create the state once; the benchmark measures later runs
hyperfine -N --warmup 20 --runs "${RUNS:-300}" --export-json "$tmp/r.json" \
  "$bin self show" "openssl version" >&2
python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
scone, openssl = r[0]["mean"], r[1]["mean"]
print(f"scone self show: {scone*1e3:.2f} ms  openssl version: {openssl*1e3:.2f} ms  ratio: {scone/openssl:.2f}")
PY
