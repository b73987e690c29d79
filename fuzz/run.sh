#!/usr/bin/env bash
# Builds the fuzzers (clang-14, libFuzzer, ASan + UBSan, assertions on), seeds a
# corpus from the spec suite's modules and from binaryen's random valid modules,
# and fuzzes decode + validate (FUZZER=compile_fuzzer: the baseline compiler
# on the valid ones).
#   fuzz/run.sh [SECONDS] [JOBS]      default: 600 seconds, 1 job
# Crashes land in fuzz/artifacts/; copy each (fixed) into tests/regress/.
set -euo pipefail
source "$(dirname "$0")/configure.sh"
seconds=${1:-600}
jobs=${2:-1}
corpus=$root/fuzz/corpus
spec=${WEFT_SPEC_DIR:-$root/../shared/spec-testsuite}

fuzzer=${FUZZER:-decode_validate_fuzzer}
cmake --build "$build" --target "$fuzzer"

if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
  mkdir -p "$corpus"
  tmp=$(mktemp -d)
  for f in "$spec"/*.wast "$spec"/proposals/threads/*.wast; do
    wast2json --enable-threads "$f" -o "$tmp/$(basename "$f" .wast).json" > /dev/null 2>&1 || true
  done
  cp "$tmp"/*.wasm "$corpus"/ 2>/dev/null || true
  # Random valid modules: binaryen turns random bytes into a module (-ttf).
  for i in $(seq 1 200); do
    head -c 4096 /dev/urandom > "$tmp/seed"
    wasm-opt -ttf "$tmp/seed" -o "$corpus/ttf-$i.wasm" --enable-simd --enable-bulk-memory \
      --enable-reference-types --enable-sign-ext --enable-nontrapping-float-to-int \
      --enable-multivalue --enable-threads > /dev/null 2>&1 || true
  done
  rm -rf "$tmp"
  echo "seeded $(ls "$corpus" | wc -l) modules"
fi
cd "$root/fuzz"
ASAN_OPTIONS=detect_leaks=1 "$build/fuzz/$fuzzer" "$corpus" \
  -max_total_time="$seconds" -jobs="$jobs" -workers="$jobs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$root/fuzz/artifacts/" -print_final_stats=1
