#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): installs what is missing, checks the
# layering (scripts/check_layers.py), builds the release and the sanitizer flavours, runs
# every test in both, runs each fuzzer briefly on its seed corpus, installs and operates the
# Debian package (as root), and checks formatting.
#   SCONE_SKIP_SANITIZE=1  skip the sanitizer flavour (quicker local runs)
#   SCONE_SKIP_PACKAGE=1   skip the package check (scripts/package_check.sh, root only)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== layering check"
python3 scripts/check_layers.py

echo "== release build"
scripts/build.sh release
echo "== release tests"
(cd build && ctest -j2 --output-on-failure --timeout 900)

if [ "${SCONE_SKIP_SANITIZE:-0}" != "1" ]; then
  echo "== sanitizer build (ASan + UBSan)"
  scripts/build.sh sanitize
  echo "== sanitizer tests"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  (cd build-asan && ctest -j2 --output-on-failure --timeout 1800)
  echo "== fuzz smoke run"
  scripts/fuzz.sh "${SCONE_FUZZ_SECONDS:-15}"
fi

# The Debian package, installed, operated and purged on this machine (docs/operations.md);
# only as root, and never where an installed scone-open or its state exists (the check
# refuses). SCONE_SKIP_PACKAGE=1 skips it.
if [ "$(id -u)" -eq 0 ] && [ "${SCONE_SKIP_PACKAGE:-0}" != "1" ]; then
  echo "== package check"
  scripts/package_check.sh
fi

echo "== format check"
scripts/lint.sh format
