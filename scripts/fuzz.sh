#!/usr/bin/env bash
# Runs every libFuzzer target of the sanitizer build for SECONDS each (default 15), starting
# from its seed corpus in fuzz/corpus/<target>/. New inputs go to a scratch folder, so the
# committed corpus only changes by hand. Any crash fails the run and leaves the input in
# build-asan/fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
bin=build-asan/bin
[ -d "$bin" ] || { echo "fuzz: build the sanitizer flavour first (scripts/build.sh sanitize)" >&2; exit 1; }
mkdir -p build-asan/fuzz-artifacts
found=0
for target in "$bin"/*_fuzz; do
  [ -x "$target" ] || continue
  found=1
  name=$(basename "$target")
  scratch=$(mktemp -d)
  corpus="fuzz/corpus/$name"
  dirs=("$scratch")
  [ -d "$corpus" ] && dirs+=("$corpus")
  echo "fuzz: $name for ${seconds}s"
  log="build-asan/fuzz-artifacts/$name.log"
  rc=0
  "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=build-asan/fuzz-artifacts/"$name"- -print_final_stats=1 \
    "${dirs[@]}" >"$log" 2>&1 || rc=$?
  grep -E "^(stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" "$log" || true
  rm -rf "$scratch"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $name FAILED (exit $rc); see build-asan/fuzz-artifacts/" >&2
    exit 1
  fi
done
[ "$found" = 1 ] || echo "fuzz: no fuzz targets built"
