#!/usr/bin/env bash
# The baseline tier and runtime side by side with node (V8), in one run:
#   1. compile throughput (MB/s of module bytes) on large real modules:
#      Weft's baseline vs V8's Liftoff (--liftoff --no-wasm-tier-up
#      --no-wasm-lazy-compilation), each on one core and on all cores;
#   2. instantiation: microseconds and bytes per instance, many live instances;
#      and short-lived ones (create and drop), with and without the memory pool;
#   3. call overhead: host -> wasm and wasm -> host, nanoseconds per call;
#   4. the code cache: compiling vs mapping a cached module, and the first
#      instance after a load.
# Medians over RUNS; these machines are shared, so read ratios, not absolutes.
#   bench/runtime-compare.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
"$root/scripts/build.sh" > /dev/null
bench="$root/build/bench/weft_bench_runtime"
probes="$root/build/bench/wasm"
cache="$root/bench/.cache"
"$root/bench/fetch-modules.sh" "$cache"
field() { grep -o "$1=[^ ]*" | cut -d= -f2; }
liftoff=(--liftoff --no-wasm-tier-up --no-wasm-lazy-compilation)

echo "== compile throughput, MB/s (median of $runs)"
printf '%-8s %7s %11s %11s %13s %13s %9s\n' module MB "weft 1-core" "weft all" "liftoff 1-core" "liftoff all" "weft/lo 1c"
for name in sqljs esbuild swc biome ffmpeg; do
  file="$cache/$name.wasm"
  mb=$(echo "scale=1; $(stat -c %s "$file") / 1000000" | bc)
  if ! one=$(taskset -c 0 "$bench" compile "$file" --threads 1 --runs "$runs" 2>&1); then
    printf '%-8s %7s %s\n' "$name" "$mb" "weft: ${one##*: }"
    continue
  fi
  one=$(echo "$one" | field mb_per_s)
  all=$("$bench" compile "$file" --threads 0 --runs "$runs" | field mb_per_s)
  lo1=$(taskset -c 0 node "${liftoff[@]}" --single-threaded "$root/bench/node-compile.mjs" "$file" "$runs" | field mb_per_s)
  loall=$(node "${liftoff[@]}" "$root/bench/node-compile.mjs" "$file" "$runs" | field mb_per_s)
  printf '%-8s %7s %11s %11s %13s %13s %9.2f\n' "$name" "$mb" "$one" "$all" "$lo1" "$loall" "$(echo "scale=2; $one / $lo1" | bc)"
done

echo
echo "== instantiation: us per instance, resident bytes per live instance"
printf '%-8s %7s %-15s %9s %10s %12s %10s %12s\n' module count strategy "weft us" "weft RSS" "weft vmctx" "node us" "node RSS"
instantiate() {  # name file count
  local node_line
  node_line=$(node --expose-gc "$root/../shared/bench/node-instantiate.mjs" "$2" "$3")
  for strategy in bounds-checked guard; do
    local line
    line=$("$bench" instantiate "$2" --count "$3" --memory "$strategy")
    printf '%-8s %7s %-15s %9s %10s %12s %10s %12s\n' "$1" "$3" "$strategy" \
      "$(echo "$line" | field us_per_instance)" "$(echo "$line" | field rss_bytes_per_instance)" \
      "$(echo "$line" | field instance_data_bytes)" \
      "$(echo "$node_line" | grep -o '"us_per_instance":[0-9.]*' | cut -d: -f2 | xargs printf '%.2f')" \
      "$(echo "$node_line" | grep -o '"rss_bytes_per_instance":[-0-9]*' | cut -d: -f2)"
  done
}
instantiate small "$probes/small.wasm" 10000
instantiate sqljs "$cache/sqljs.wasm" 10000
instantiate swc "$cache/swc.wasm" 1000

echo
echo "== short-lived instances: us per create-and-drop (median of $runs), memory pool off / on"
printf '%-8s %-15s %9s %9s\n' module strategy "no pool" pool
for probe in "small $probes/small.wasm" "havlak $cache/embenchen/wasm/havlak.wasm" "sqljs $cache/sqljs.wasm"; do
  set -- $probe
  [ -f "$2" ] || continue
  for strategy in bounds-checked guard; do
    printf '%-8s %-15s %9s %9s\n' "$1" "$strategy" \
      "$("$bench" churn "$2" --count 2000 --runs "$runs" --memory "$strategy" --pool 0 | field us_per_create_and_drop)" \
      "$("$bench" churn "$2" --count 2000 --runs "$runs" --memory "$strategy" | field us_per_create_and_drop)"
  done
done

echo
echo "== call overhead, ns per call"
weft=$(taskset -c 0 "$bench" calls "$probes/calls.wasm" --iterations 5000000 --runs "$runs")
v8=$(taskset -c 0 node "$root/bench/node-calls.mjs" "$probes/calls.wasm" 5000000 "$runs")
printf '%-28s %8s %8s\n' "" weft node
printf '%-28s %8s %8s\n' "host -> wasm (unchecked)" "$(echo "$weft" | field host_to_wasm_ns)" "$(echo "$v8" | field host_to_wasm_ns)"
printf '%-28s %8s %8s\n' "host -> wasm (typed Values)" "$(echo "$weft" | field host_to_wasm_checked_ns)" "-"
printf '%-28s %8s %8s\n' "host -> wasm (CallOutcome)" "$(echo "$weft" | field host_to_wasm_outcome_ns)" "-"
printf '%-28s %8s %8s\n' "wasm -> host" "$(echo "$weft" | field wasm_to_host_ns)" "$(echo "$v8" | field wasm_to_host_ns)"

echo
echo "== code cache: compile vs load (ms), first instance after a load (us)"
printf '%-8s %7s %11s %11s %11s %13s %12s\n' module MB compile "load warm" "load cold" "first inst" "compile/load"
for name in sqljs esbuild swc biome ffmpeg; do
  file="$cache/$name.wasm"
  line=$("$bench" cache "$file" --runs "$runs")
  printf '%-8s %7s %11s %11s %11s %13s %12s\n' "$name" "$(echo "scale=1; $(stat -c %s "$file") / 1000000" | bc)" \
    "$(echo "$line" | field compile_ms)" "$(echo "$line" | field load_warm_ms)" "$(echo "$line" | field load_cold_ms)" \
    "$(echo "$line" | field first_instance_us)" "$(echo "$line" | field compile_over_load)"
done
