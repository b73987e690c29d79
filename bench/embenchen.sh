#!/usr/bin/env bash
# The speed table: the embenchen programs (built from Debian's emscripten
# sources by ../shared/bench/build-embenchen.sh: natively with gcc -O2, for
# wasm32-wasi with clang-14 -O2) run natively, under node (V8's Liftoff, the
# baseline peer, and TurboFan, the optimizing peer) and under Weft in each
# memory strategy with the baseline and with the optimizing tier (its code
# from a cache directory, filled by the output check that precedes the timed
# runs, so the times are of running optimized code, as `weft compile` or
# `weft run --cache` users get it), several runs each; median seconds and
# ratio to native.
# Every runner's output must equal node's (decimals masked: some programs print
# their own timings); a difference shows as MISMATCH.
#   bench/embenchen.sh [small|standard] [RUNS]       writes bench/.cache/embenchen-SIZE.csv
# then prints bench/sharing-cost.sh's table (shared ÷ specialized code).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-standard}
runs=${2:-5}
shared=$root/../shared/bench
out=$root/bench/.cache/embenchen
"$root/scripts/build.sh" > /dev/null
need=(emscripten wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 bc)
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
[ -f "$out/programs.txt" ] || "$shared/build-embenchen.sh" "$out" > /dev/null
weft=$root/build/weft
codecache=$root/bench/.cache/weft-code-cache
mkdir -p "$codecache" && chmod 700 "$codecache"
node_wasi="node --no-warnings $shared/run-node-wasi.mjs"
table=$("$shared/compare.sh" "$out" "$size" "$runs" \
  "node-liftoff=node --no-warnings --liftoff --no-wasm-tier-up $shared/run-node-wasi.mjs" \
  "node-turbofan=node --no-warnings --no-liftoff $shared/run-node-wasi.mjs" \
  "weft-guard=$weft run --tier baseline --dir ." \
  "weft-bounds=$weft run --tier baseline --memory bounds-checked --dir ." \
  "weft-opt-guard=$weft run --tier optimizing --cache $codecache --dir ." \
  "weft-opt-bounds=$weft run --tier optimizing --memory bounds-checked --cache $codecache --dir ." | tee /dev/stderr)
csv=$root/bench/.cache/embenchen-$size.csv
echo "$table" | awk 'NR == 1 {
    printf "program,native_s"; for (i = 3; i <= NF; i += 2) printf ",%s_s,%s_ratio", $i, $i; print ""; next }
  { printf "%s", $1; for (i = 2; i <= NF; ++i) printf ",%s", $i; print "" }' > "$csv"
# Geometric means of the ratios, per runner.
echo "$table" | awk 'NR == 1 { for (i = 3; i <= NF; i += 2) name[i] = $i; next }
  { for (i = 4; i <= NF; i += 2) if ($i != "-") { sum[i] += log($i); n[i]++ } }
  END { printf "geomean ratio to native:"; for (i = 4; i <= NF; i += 2) if (n[i]) printf "  %s %.2f", name[i-1], exp(sum[i] / n[i]); print "" }'
echo "CSV: $csv"
# What sharing costs: shared against specialized code, run times only
# (SHARING_RUNS runs each, default RUNS).
"$root/bench/sharing-cost.sh" "$size" "${SHARING_RUNS:-$runs}"
