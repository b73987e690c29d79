#!/usr/bin/env bash
# The optimizing tier's compile throughput beside V8's TurboFan, in one run:
# MB of module bytes per second, on one core (pinned to core 0, one compile
# thread / node --single-threaded) and on all cores, for the large real
# modules of bench/fetch-modules.sh (or the files given), with the peak
# resident memory of Weft's process. One compile per figure: at these speeds
# each takes seconds to minutes, long enough that one is a measurement.
#   bench/opt-compile.sh [FILE.wasm...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" > /dev/null
bench="$root/build/bench/weft_bench_runtime"
cache="$root/bench/.cache"
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  "$root/bench/fetch-modules.sh" "$cache"
  files=("$cache/sqljs.wasm" "$cache/esbuild.wasm" "$cache/swc.wasm" "$cache/ffmpeg.wasm" "$cache/biome.wasm")
fi
field() { grep -o "$1=[^ ]*" | cut -d= -f2; }
turbofan=(--no-liftoff --no-wasm-lazy-compilation)
printf '%-10s %7s %11s %11s %13s %13s %9s %10s %10s\n' module MB "weft 1-core" "weft all" "turbofan 1c" "turbofan all" \
  "weft/tf 1c" "weft RSS1" "weft RSSall"
for file in "${files[@]}"; do
  name=$(basename "$file" .wasm)
  mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN { printf "%.1f", b / 1e6 }')
  weft_one() {  # THREADS [taskset args...]: "mb_per_s peak_kib"
    local threads=$1; shift
    local out
    out=$( { /usr/bin/time -f 'peak_kib=%M' "$@" "$bench" compile "$file" --tier optimizing --threads "$threads" --runs 1; } 2>&1) ||
      { echo "failed: $(echo "$out" | tail -1)"; return; }
    echo "$(echo "$out" | field mb_per_s) $(echo "$out" | field peak_kib)"
  }
  read -r one rss_one <<< "$(weft_one 1 taskset -c 0)"
  read -r all rss_all <<< "$(weft_one 0)"
  # node with --no-liftoff sometimes crashes at exit after printing its
  # line (seen on this machine): keep what it printed, "-" if nothing.
  tf1=$( { taskset -c 0 node "${turbofan[@]}" --single-threaded "$root/bench/node-compile.mjs" "$file" 1 || true; } |
    { field mb_per_s || echo -; })
  tfall=$( { node "${turbofan[@]}" "$root/bench/node-compile.mjs" "$file" 1 || true; } | { field mb_per_s || echo -; })
  ratio=$(awk -v a="$one" -v b="$tf1" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.3f", a / b; else print "-" }')
  printf '%-10s %7s %11s %11s %13s %13s %9s %9sK %9sK\n' "$name" "$mb" "$one" "$all" "$tf1" "$tfall" "$ratio" \
    "$rss_one" "$rss_all"
done
