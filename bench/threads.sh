#!/usr/bin/env bash
# wasi-threads under Weft, beside native threads on this machine:
#  - the parallel Mandelbrot (tests/threads/mandelbrot.c) on 1 and 2 threads
#    (and as many as there are cores): computation time, median of RUNS, and
#    the speed-up;
#  - thread_costs.c: spawn + join of an empty thread, an uncontended mutex
#    lock/unlock pair, a wait/notify round trip between two threads, beside
#    thread_costs_native.c (pthread_create, pthread mutex, futex).
# Weft runs the optimizing tier (compiled before running: the figures are of
# the code, not of the compile).
#   bench/threads.sh [RUNS]   (default 5)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
"$root/scripts/build.sh" > /dev/null
weft="$root/build/weft"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$root/tests/threads/build.sh" clang-14 "$root/tests/threads/mandelbrot.c" "$work/mandelbrot.wasm"
bash "$root/tests/threads/build.sh" clang-14 "$root/bench/threads/thread_costs.c" "$work/thread_costs.wasm"
gcc -O2 -pthread "$root/bench/threads/thread_costs_native.c" -o "$work/thread_costs_native"
for strategy in guard bounds-checked; do
  "$weft" compile --tier optimizing --memory "$strategy" "$work/mandelbrot.wasm" -o "$work/mandelbrot-$strategy.cwasm"
  "$weft" compile --tier optimizing --memory "$strategy" "$work/thread_costs.wasm" -o "$work/thread_costs-$strategy.cwasm"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { grep -o "$1=[0-9.]*" | cut -d= -f2; }

echo "Mandelbrot 1600x1200, 1000 iterations: computation ms, median of $runs"
printf '%-16s %8s %8s %8s\n' strategy 1-thread 2-thread speed-up
for strategy in guard bounds-checked; do
  declare -A ms=()
  for threads in 1 2; do
    ms[$threads]=$(for _ in $(seq "$runs"); do
      "$weft" run "$work/mandelbrot-$strategy.cwasm" "$threads" 1600 1200 1000 time | field elapsed_us
    done | median)
  done
  awk -v s="$strategy" -v one="${ms[1]}" -v two="${ms[2]}" \
    'BEGIN { printf "%-16s %8.1f %8.1f %8.2f\n", s, one / 1000, two / 1000, one / two }'
done

echo
echo "Thread costs, median of $runs"
printf '%-16s %14s %14s %22s\n' runner spawn+join-us mutex-pair-ns wait/notify-trip-us
costs() {  # NAME COMMAND...
  local name=$1; shift
  local lines
  lines=$(for _ in $(seq "$runs"); do "$@"; done)
  printf '%-16s %14s %14s %22s\n' "$name" "$(echo "$lines" | field spawn_join_us | median)" \
    "$(echo "$lines" | field mutex_pair_ns | median)" "$(echo "$lines" | field wait_notify_round_trip_us | median)"
}
costs native "$work/thread_costs_native"
for strategy in guard bounds-checked; do costs "weft $strategy" "$weft" run "$work/thread_costs-$strategy.cwasm"; done
