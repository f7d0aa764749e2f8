#!/usr/bin/env bash
# Wall time of `scone self show` against `openssl version` on the same machine in one run
# (issue 12 item 13: at most 1.5x). 30 paired rounds (RUNS to change); in each round both
# commands run BATCH times (default 20), interleaved, and the round's ratio is the ratio of
# their mean times. Prints the medians of both and the median ratio.
#   bench/self_show.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build}/bin/scone"
[ -x "$bin" ] || { echo "build first: scripts/build.sh release" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SCONE_CLI_CONFIG="$tmp/config.json"
"$bin" self show >/dev/null  # create the state once; the benchmark measures later runs
python3 - "$bin" "${RUNS:-30}" "${BATCH:-20}" <<'PY'
import os, statistics, subprocess, sys, time

scone, rounds, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
commands = [[scone, "self", "show"], ["openssl", "version"]]
devnull = os.open(os.devnull, os.O_WRONLY)

def once(argv):
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if status != 0:
        sys.exit(f"{' '.join(argv)} failed")
    return elapsed

for argv in commands:  # warm up caches
    for _ in range(10):
        once(argv)
ratios, means = [], [[], []]
for r in range(rounds):
    totals = [0, 0]
    for i in range(batch):
        order = (0, 1) if (r + i) % 2 == 0 else (1, 0)
        for k in order:
            totals[k] += once(commands[k])
    for k in range(2):
        means[k].append(totals[k] / batch / 1e6)
    ratios.append(totals[0] / totals[1])
s, o = statistics.median(means[0]), statistics.median(means[1])
print(f"scone self show: {s:.2f} ms  openssl version: {o:.2f} ms  "
      f"median ratio of {rounds} paired rounds: {statistics.median(ratios):.2f}")
PY
