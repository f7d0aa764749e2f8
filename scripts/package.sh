#!/usr/bin/env bash
# Builds the Debian packages (docs/operations.md) with CPack from the release build and
# prints the folder they are in:
#   scone-open_VERSION_amd64.deb          the programs, units, configuration, completion, man
#   scone-open-dbgsym_VERSION_amd64.deb   their debug information (lib/debug/.build-id)
# The release build is configured for the prefix /usr (no recompilation: the prefix only
# reaches the units and the default configuration).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs="${SCONE_JOBS:-2}"
# The release flavour of scripts/build.sh; only what is installed is built (the programs,
# their stripped and signed forms, completion and manual pages: scone_install_tree).
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
  >/dev/null
ninja -C build -j "$jobs" scone_install_tree >/dev/null
rm -rf build/package
(cd build && cpack -G DEB >/dev/null)
ls build/package/scone-open_*_amd64.deb build/package/scone-open-dbgsym_*_amd64.deb >/dev/null
echo "$PWD/build/package"
