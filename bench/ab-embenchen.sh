#!/usr/bin/env bash
# Two Weft builds side by side on the embenchen programs, for before/after
# tables: each round runs native, A and B once each (N A B N A B ...), so a
# machine whose speed drifts (shared, throttled) moves all three alike. Prints
# the median seconds of RUNS rounds, each build's ratio to native, and B/A.
# A's and B's outputs must match (decimals masked: some programs print timings).
#   bench/ab-embenchen.sh WEFT_A WEFT_B [small|standard] [RUNS] [FLAGS...]
# FLAGS go to `weft run` of both, e.g. --memory bounds-checked. The programs
# come from bench/embenchen.sh's build (bench/.cache/embenchen); PROGRAMS="ifs
# havlak" limits the run to those.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
a=${1:?usage: ab-embenchen.sh WEFT_A WEFT_B [small|standard] [RUNS] [FLAGS...]}
b=${2:?usage}
size=${3:-standard}
runs=${4:-5}
shift $(( $# < 4 ? $# : 4 ))
flags=("$@")
out=$root/bench/.cache/embenchen
[ -f "$out/programs.txt" ] || { echo "no embenchen build in $out: run bench/embenchen.sh first" >&2; exit 1; }
a=$(realpath "$a"); b=$(realpath "$b")
col=4; [ "$size" = standard ] && col=5
mask() { sed -E -f "$root/scripts/mask-timings.sed"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
printf '%-14s %9s %9s %7s %9s %7s %7s\n' program native A A/nat B B/nat B/A
sumA=0; sumB=0; count=0
while IFS='|' read -r name _src _flags small standard; do
  args=$small; [ "$col" = 5 ] && args=$standard
  if [ -n "${PROGRAMS:-}" ] && [[ " $PROGRAMS " != *" $name "* ]]; then continue; fi
  work=$(mktemp -d); cd "$work"
  # shellcheck disable=SC2086
  wantA=$("$a" run "${flags[@]}" --dir . "$out/wasm/$name.wasm" $args 2>/dev/null | mask || true)
  # shellcheck disable=SC2086
  wantB=$("$b" run "${flags[@]}" --dir . "$out/wasm/$name.wasm" $args 2>/dev/null | mask || true)
  if [ "$wantA" != "$wantB" ]; then printf '%-14s MISMATCH between A and B\n' "$name"; cd /; rm -rf "$work"; continue; fi
  tn=(); ta=(); tb=()
  for _ in $(seq "$runs"); do
    # shellcheck disable=SC2086
    tn+=("$(seconds "$out/native/$name" $args)")
    # shellcheck disable=SC2086
    ta+=("$(seconds "$a" run "${flags[@]}" --dir . "$out/wasm/$name.wasm" $args)")
    # shellcheck disable=SC2086
    tb+=("$(seconds "$b" run "${flags[@]}" --dir . "$out/wasm/$name.wasm" $args)")
  done
  mn=$(printf '%s\n' "${tn[@]}" | median); ma=$(printf '%s\n' "${ta[@]}" | median); mb=$(printf '%s\n' "${tb[@]}" | median)
  printf '%-14s %9.3f %9.3f %7.2f %9.3f %7.2f %7.3f\n' "$name" "$mn" "$ma" "$(echo "$ma / $mn" | bc -l)" \
    "$mb" "$(echo "$mb / $mn" | bc -l)" "$(echo "$mb / $ma" | bc -l)"
  sumA=$(echo "$sumA + l($ma / $mn)" | bc -l); sumB=$(echo "$sumB + l($mb / $mn)" | bc -l); count=$((count + 1))
  cd /; rm -rf "$work"
done < "$out/programs.txt"
if [ "$count" -gt 0 ]; then
  printf 'geomean ratio to native: A %.3f  B %.3f  B/A %.3f\n' "$(echo "e($sumA / $count)" | bc -l)" \
    "$(echo "e($sumB / $count)" | bc -l)" "$(echo "e(($sumB - $sumA) / $count)" | bc -l)"
fi
