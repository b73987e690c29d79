#!/usr/bin/env bash
# Configures and builds Weft into build/ (or $WEFT_BUILD_DIR), after making sure
# the Debian packages are there. Extra arguments go to cmake's configure step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WEFT_BUILD_DIR:-$root/build}
"$root/scripts/setup-debian.sh"
cmake -S "$root" -B "$build" -G Ninja "$@" > /dev/null
cmake --build "$build"
