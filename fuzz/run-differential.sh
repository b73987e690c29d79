#!/usr/bin/env bash
# Builds the differential execution fuzzer (clang-14, libFuzzer, ASan +
# UBSan) and runs it: each input is a seed that binaryen's generator (wasm-opt
# -ttf) turns into a valid module, run in Weft's baseline and optimizing tiers
# in both memory strategies and in binaryen's interpreter; a difference
# aborts that input, which lands in fuzz/artifacts/ while fuzzing goes on
# (reduce it with wasm-reduce, then add it to tests/regress/wast/).
#   fuzz/run-differential.sh [SECONDS] [JOBS]      default: 3600 seconds, 1 job
set -euo pipefail
source "$(dirname "$0")/configure.sh"
seconds=${1:-3600}
jobs=${2:-1}
corpus=$root/fuzz/corpus-differential

cmake --build "$build" --target differential_execution_fuzzer
if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
  mkdir -p "$corpus"
  for i in $(seq 1 50); do head -c 8192 /dev/urandom > "$corpus/seed-$i"; done
fi
cd "$root/fuzz"
# Leaks are not what this target looks for; LLVM's caches look like them.
ASAN_OPTIONS=detect_leaks=0 "$build/fuzz/differential_execution_fuzzer" "$corpus" \
  -max_total_time="$seconds" -fork="$jobs" -ignore_crashes=1 -max_len=16384 -timeout=120 -rss_limit_mb=4096 \
  -artifact_prefix="$root/fuzz/artifacts/" -print_final_stats=1
