#!/usr/bin/env bash
# Profiling (weft run --profile): the perf map of a WASI program built with a
# name section lists its internal functions by name, and perf itself, given
# that map, names the wasm function a hot loop runs in.
#   perf_profile.sh WEFT DEBUG_ME.wasm DEBUG_PROGRAM.wasm
# perf must be installed (scripts/setup-debian.sh installs linux-perf): a
# missing perf fails. A machine where perf cannot record (no access to
# performance events, as in many containers) skips the perf half, saying
# why, with exit 77 (the CTest test's SKIP_RETURN_CODE).
set -euo pipefail
weft=$(readlink -f "$1")
program=$2
module=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The map: every function of a -O0 C program under its name-section name,
# static ones included, each once.
"$weft" run --profile perfmap "$program" 3 > "$dir/out" 2> "$dir/err" &
pid=$!
wait "$pid" || fail "weft run --profile perfmap failed: $(cat "$dir/err")"
map=/tmp/perf-$pid.map
[ -s "$map" ] || fail "no perf map at $map"
for name in factorial divide main __original_main _start; do
  [ "$(grep -cE " $name( |\$)" "$map")" -ge 1 ] || fail "the perf map lacks $name: $(cat "$map")"
done
[ "$(grep -cE " factorial( |\$)" "$map")" = 1 ] || fail "factorial is in the map more than once per image"
rm -f "$map"

command -v perf > /dev/null || fail "perf is missing (apt-get install linux-perf, as scripts/setup-debian.sh does)"
if ! perf record -q -o "$dir/probe.data" -- true > /dev/null 2> "$dir/probe.err"; then
  echo "SKIPPED: perf cannot record on this machine: $(head -3 "$dir/probe.err" | tr '\n' ' ')"
  exit 77
fi
# A hot loop in "spin", in baseline code (no tier-up to wait for).
ls /tmp/perf-*.map > "$dir/maps-before" 2> /dev/null || true
perf record -q -o "$dir/perf.data" -- "$weft" run --tier baseline --profile perfmap --invoke spin "$module" 400000000 \
  > "$dir/out" 2> "$dir/err" || fail "perf record of weft failed: $(cat "$dir/err")"
grep -qx 400000000 "$dir/out" || fail "spin returned $(cat "$dir/out")"
perf report -i "$dir/perf.data" --stdio --sort symbol > "$dir/report" 2> /dev/null || fail "perf report failed"
grep -qE '[0-9.]+%.*\bspin\b' "$dir/report" || fail "perf report does not name the wasm function spin:
$(grep -v '^#' "$dir/report" | head -20)"
echo "perf names the wasm function: $(grep -E '\bspin\b' "$dir/report" | head -1 | tr -s ' ')"
# The map of the recorded run is perf's input only: remove it.
for map in /tmp/perf-*.map; do
  [ -e "$map" ] && ! grep -qxF "$map" "$dir/maps-before" && [ -O "$map" ] && rm -f "$map"
done
exit 0
