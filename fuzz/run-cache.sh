#!/usr/bin/env bash
# Builds the code-cache loader fuzzer (clang-14, libFuzzer, ASan + UBSan),
# seeds it with cache files compiled from the spec suite's modules and fuzzes.
#   fuzz/run-cache.sh [SECONDS] [JOBS]      default: 900 seconds, 1 job
# Crashes land in fuzz/artifacts/.
set -euo pipefail
source "$(dirname "$0")/configure.sh"
seconds=${1:-900}
jobs=${2:-1}
corpus=$root/fuzz/corpus-cache
spec=${WEFT_SPEC_DIR:-$root/../shared/spec-testsuite}

cmake --build "$build" --target cache_load_fuzzer weft

# Seeds are made by this build (the build id must match), so they are remade each run.
rm -rf "$corpus"
mkdir -p "$corpus"
tmp=$(mktemp -d)
for f in fac call_indirect memory br_table simd_lane linking elem data; do
  wast2json "$spec/$f.wast" -o "$tmp/$f.json" > /dev/null 2>&1 || true
done
for m in "$tmp"/*.wasm; do
  "$build/weft" compile "$m" -o "$corpus/$(basename "$m" .wasm).cwasm" 2> /dev/null || true
done
rm -rf "$tmp"
echo "seeded $(ls "$corpus" | wc -l) cache files"
cd "$root/fuzz"
ASAN_OPTIONS=detect_leaks=1 "$build/fuzz/cache_load_fuzzer" "$corpus" \
  -max_total_time="$seconds" -jobs="$jobs" -workers="$jobs" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$root/fuzz/artifacts/" -print_final_stats=1
