#!/usr/bin/env bash
# Validation throughput side by side, in one run: Weft (in-process, one thread),
# V8 (node's WebAssembly.validate, in-process) and wabt (wasm-validate, whole
# process: its start-up and file read are included, so it is flattered least).
# V8 validates function bodies on background threads too, so it is measured
# twice: pinned to one core (the like-for-like peer; Weft is pinned the same
# way) and free to use every core.
#   bench/validate-compare.sh [RUNS] [FILE.wasm...]
# With no files it fetches large real modules from npm packages into
# bench/.cache (biome, ffmpeg, swc, esbuild, sql.js).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-11}
shift || true
"$root/scripts/build.sh" > /dev/null
bench="$root/build/bench/weft_bench_validate"

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  cache="$root/bench/.cache"
  "$root/bench/fetch-modules.sh" "$cache"
  files=("$cache"/biome.wasm "$cache"/ffmpeg.wasm "$cache"/swc.wasm "$cache"/esbuild.wasm "$cache"/sqljs.wasm)
fi

wabt_mbps() {  # median over runs of the whole wasm-validate process
  local file=$1 size times=()
  size=$(stat -c %s "$file")
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N)
    wasm-validate --enable-threads "$file" > /dev/null
    end=$(date +%s%N)
    times+=($((end - start)))
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  echo "scale=1; $size * 1000 / $median" | bc
}

pin="taskset -c 0"
printf '%-10s %7s %10s %12s %12s %10s %12s %10s\n' module MB "weft MB/s" "V8 1-core" "V8 all" "wabt" "weft/V8-1c" "weft/wabt"
for file in "${files[@]}"; do
  read -r _ size _ weft < <($pin "$bench" --runs "$runs" "$file")
  read -r _ _ _ v8one < <($pin node "$root/bench/node-validate.mjs" "$runs" "$file")
  read -r _ _ _ v8all < <(node "$root/bench/node-validate.mjs" "$runs" "$file")
  wabt=$(wabt_mbps "$file")
  printf '%-10s %7.1f %10.1f %12.1f %12.1f %10.1f %12.2f %10.2f\n' "$(basename "$file" .wasm)" \
    "$(echo "scale=1; $size / 1000000" | bc)" "$weft" "$v8one" "$v8all" "$wabt" \
    "$(echo "scale=2; $weft / $v8one" | bc)" "$(echo "scale=2; $weft / $wabt" | bc)"
done
