#!/usr/bin/env bash
# Configures (once) and builds one flavour of the project:
#   scripts/build.sh release   -> build/       (GCC, optimised, with benchmarks)
#   scripts/build.sh sanitize  -> build-asan/  (Clang, ASan+UBSan, libFuzzer targets)
# Incremental: a second run with nothing changed does no work. ccache is used when present.
set -euo pipefail
cd "$(dirname "$0")/.."

flavour="${1:-release}"
jobs="${SCONE_JOBS:-2}"
case "$flavour" in
  release)
    dir=build
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
    ;;
  sanitize)
    dir=build-asan
    args=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
          -DSCONE_SANITIZE=ON -DSCONE_FUZZ=ON -DSCONE_BENCH=OFF)
    ;;
  *)
    echo "usage: $0 [release|sanitize]" >&2
    exit 2
    ;;
esac

if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
fi
ninja -C "$dir" -j "$jobs"
