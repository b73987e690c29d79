#!/usr/bin/env bash
# What sharing code costs (DESIGN 7; the table the reference engine published
# when it moved instance values out of its code, measured for Weft): each
# embenchen program runs with the optimizing tier's shared code (from a cache
# directory: base and length loaded from instance data) and with a private
# copy specialized for its one instance (`weft run --specialize`: base and
# length as constants), in both memory strategies, interleaved, RUNS times.
# Only the run is timed (`weft run --timings`): the specialized copy is
# compiled at instantiation, which is not what is compared.
# Prints median run seconds and specialized ÷ shared (1.00: sharing is free;
# 0.97: shared code takes 3% longer), and the geometric means.
#   bench/sharing-cost.sh [small|standard] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-standard}
runs=${2:-5}
dir=$root/bench/.cache/embenchen
weft=${WEFT:-$root/build/weft}  # WEFT: another build to measure
[ -f "$dir/programs.txt" ] || { echo "run bench/embenchen.sh first (it builds the programs)" >&2; exit 1; }
codecache=$root/bench/.cache/weft-code-cache
mkdir -p "$codecache" && chmod 700 "$codecache"
col=4; [ "$size" = standard ] && col=5
# As compare.sh: decimals and times of day differ from run to run.
mask() { sed -E -f "$root/scripts/mask-timings.sed" "$1"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# Run seconds of one run; its output (timings line removed) to $2.
run_seconds() {  # OUTFILE WEFT-ARGS...
  local out=$1; shift
  local timings
  timings=$("$weft" run --timings "$@" 2>&1 >"$out" | grep '^weft: timings:' || true)
  [ -n "$timings" ] || { echo "no timings from: weft run $*" >&2; exit 1; }
  echo "$timings" | sed -E 's/.*run ([0-9.]+) s.*/\1/'
}
printf '%-14s %10s %10s %7s %10s %10s %7s\n' program guard-shr guard-spc spc/shr bounds-shr bounds-spc spc/shr
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
while IFS='|' read -r name _src _flags small standard; do
  args=$small; [ "$col" = 5 ] && args=$standard
  wasm=$dir/wasm/$name.wasm
  printf '%-14s' "$name"
  for memory in guard bounds-checked; do
    shared=(--tier optimizing --memory "$memory" --cache "$codecache" --dir "$work")
    special=(--specialize --memory "$memory" --dir "$work")
    (cd "$work" && run_seconds "$work/warm" "${shared[@]}" "$wasm" $args > /dev/null)  # fills the cache
    : > "$work/shared.t"; : > "$work/special.t"
    for _ in $(seq "$runs"); do
      (cd "$work" && run_seconds "$work/a" "${shared[@]}" "$wasm" $args) >> "$work/shared.t"
      (cd "$work" && run_seconds "$work/b" "${special[@]}" "$wasm" $args) >> "$work/special.t"
      [ "$(mask "$work/a")" = "$(mask "$work/b")" ] || { echo " MISMATCH: specialized output differs" >&2; exit 1; }
    done
    ts=$(median < "$work/shared.t"); tp=$(median < "$work/special.t")
    printf ' %10.3f %10.3f %7.3f' "$ts" "$tp" "$(echo "$tp / $ts" | bc -l)"
  done
  echo
done < "$dir/programs.txt" | tee "$work/table"
awk '{ if ($4 > 0) { g += log($4); n++ } if ($7 > 0) { b += log($7); m++ } }
  END { printf "geomean specialized/shared: guard %.3f, bounds-checked %.3f\n", exp(g / n), exp(b / m) }' "$work/table"
