#!/usr/bin/env bash
# Style checks. `format`: clang-format (fails on any difference). `tidy`: clang-tidy on every
# source file against build/compile_commands.json (slower; run before sending a change).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-format}"
mapfile -t files < <(git ls-files 'src/*.h' 'src/*.cc' 'bench/*.cc')
case "$what" in
  format)
    clang-format --dry-run --Werror "${files[@]}"
    echo "format: ${#files[@]} files clean"
    ;;
  tidy)
    [ -f build/compile_commands.json ] || scripts/build.sh release
    mapfile -t sources < <(printf '%s\n' "${files[@]}" | grep '\.cc$')
    clang-tidy -p build --quiet "${sources[@]}"
    echo "tidy: ${#sources[@]} files clean"
    ;;
  *)
    echo "usage: $0 [format|tidy]" >&2
    exit 2
    ;;
esac
