#!/usr/bin/env bash
# Two builds' baseline compile throughput side by side, for before/after
# tables on a shared, noisy machine: A's and B's weft_bench_runtime run
# alternately on core 0 (A B A B ...), each process reporting the fastest of
# RUNS warm compiles (min_seconds). Prints, per module, the best of those
# bests and their median for each build, and B's speed over A's (above 1: B
# compiles faster), and the median and interquartile range of the rounds'
# own ratios (each round runs A and B back to back, so its ratio is less
# disturbed by the machine's slow phases than bests taken apart are). A
# build from before min_seconds existed needs that one line added to its
# bench/runtime_bench.cpp.
#   bench/ab-compile.sh BENCH_A BENCH_B [ROUNDS] [MODULES...]
# MODULES default to the five of bench/fetch-modules.sh (bench/.cache); the
# number of warm compiles per process falls with the module's size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
a=${1:?usage: ab-compile.sh BENCH_A BENCH_B [ROUNDS] [MODULES...]}
b=${2:?usage: ab-compile.sh BENCH_A BENCH_B [ROUNDS] [MODULES...]}
rounds=${3:-9}
shift $(( $# < 3 ? $# : 3 ))
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(sqljs esbuild swc ffmpeg biome)
fastest() {  # BENCH FILE RUNS
  taskset -c 0 "$1" compile "$2" --threads 1 --runs "$3" | grep -o 'min_seconds=[0-9.]*' | cut -d= -f2
}
quantile() { sort -g | awk -v p="$1" '{v[NR]=$1} END {i=int(NR*p)+1; if (i>NR) i=NR; print v[i]}'; }
printf '%-8s %6s %10s %10s %10s %10s %8s %8s %8s %11s\n' module rounds "A best" "A median" "B best" "B median" "B/A best" "B/A med" \
  "paired" "pair IQR"
for name in "${modules[@]}"; do
  file=$root/bench/.cache/$name.wasm
  [ -f "$file" ] || { echo "$file: missing (bench/fetch-modules.sh bench/.cache)" >&2; exit 1; }
  bytes=$(stat -c %s "$file")
  runs=15; [ "$bytes" -gt 2000000 ] && runs=5; [ "$bytes" -gt 10000000 ] && runs=3
  as=(); bs=(); ratios=()
  for round in $(seq "$rounds"); do
    # Which build goes first alternates, so neither always runs on a cache
    # the other warmed or in the other's half of a slow phase.
    if [ $((round % 2)) = 1 ]; then
      ta=$(fastest "$a" "$file" "$runs"); tb=$(fastest "$b" "$file" "$runs")
    else
      tb=$(fastest "$b" "$file" "$runs"); ta=$(fastest "$a" "$file" "$runs")
    fi
    as+=("$ta"); bs+=("$tb"); ratios+=("$(echo "$ta / $tb" | bc -l)")
  done
  abest=$(printf '%s\n' "${as[@]}" | quantile 0); amed=$(printf '%s\n' "${as[@]}" | quantile 0.5)
  bbest=$(printf '%s\n' "${bs[@]}" | quantile 0); bmed=$(printf '%s\n' "${bs[@]}" | quantile 0.5)
  printf '%-8s %6s %10s %10s %10s %10s %8.3f %8.3f %8.3f %11s\n' "$name" "$rounds" "$abest" "$amed" "$bbest" "$bmed" \
    "$(echo "$abest / $bbest" | bc -l)" "$(echo "$amed / $bmed" | bc -l)" \
    "$(printf '%s\n' "${ratios[@]}" | quantile 0.5)" \
    "$(printf '%.3f-%.3f' "$(printf '%s\n' "${ratios[@]}" | quantile 0.25)" "$(printf '%s\n' "${ratios[@]}" | quantile 0.75)")"
done
