#!/usr/bin/env bash
# SIMD in the baseline tier: the embenchen programs rebuilt with clang-14
# -O2 -msimd128 (its loop vectorizer writes wasm SIMD), those that come out
# with SIMD operators run natively, under node's Liftoff (the baseline peer)
# and under Weft's baseline in both memory strategies; median seconds of RUNS
# runs and the ratio to native, outputs checked against node's (compare.sh).
#   bench/simd.sh [small|standard] [RUNS]
# WEFT_BEFORE=PATH adds a column for another weft binary (a before/after).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-standard}
runs=${2:-5}
shared=$root/../shared/bench
plain=$root/bench/.cache/embenchen
out=$root/bench/.cache/embenchen-simd
"$root/scripts/build.sh" > /dev/null
[ -f "$plain/programs.txt" ] || { echo "run bench/embenchen.sh first (it builds $plain)" >&2; exit 1; }
command -v wasm-objdump > /dev/null || { echo "wasm-objdump (Debian's wabt) is missing" >&2; exit 1; }
mkdir -p "$out/wasm"
ln -sfn "$plain/native" "$out/native"
: > "$out/programs.txt.new"
while IFS='|' read -r name src flags small standard; do
  s="$plain/src/$src"
  if [[ $src == *.c ]]; then cc=(clang-14); else cc=(clang++-14 -fno-exceptions); fi
  # shellcheck disable=SC2086
  "${cc[@]}" --target=wasm32-wasi --sysroot=/usr -O2 -msimd128 -D_WASI_EMULATED_PROCESS_CLOCKS -Wno-everything \
    -Wl,-z,stack-size=8388608 $flags "$s" -o "$out/wasm/$name.wasm" -lwasi-emulated-process-clocks
  ops=$(wasm-objdump -d "$out/wasm/$name.wasm" | grep -cE ' (v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.' || true)
  if [ "$ops" -gt 0 ]; then
    echo "$name|$src|$flags|$small|$standard" >> "$out/programs.txt.new"
    echo "$name: $ops SIMD operators" >&2
  fi
done < "$plain/programs.txt"
mv "$out/programs.txt.new" "$out/programs.txt"
weft=$root/build/weft
runners=("node-liftoff=node --no-warnings --liftoff --no-wasm-tier-up $shared/run-node-wasi.mjs")
[ -n "${WEFT_BEFORE:-}" ] && runners+=("weft-before=$WEFT_BEFORE run --tier baseline --dir .")
runners+=("weft-guard=$weft run --tier baseline --dir ."
          "weft-bounds=$weft run --tier baseline --memory bounds-checked --dir .")
table=$("$shared/compare.sh" "$out" "$size" "$runs" "${runners[@]}" | tee /dev/stderr)
echo "$table" | awk 'NR == 1 { for (i = 3; i <= NF; i += 2) name[i] = $i; next }
  { for (i = 4; i <= NF; i += 2) if ($i != "-") { sum[i] += log($i); n[i]++ } }
  END { printf "geomean ratio to native:"; for (i = 4; i <= NF; i += 2) if (n[i]) printf "  %s %.2f", name[i-1], exp(sum[i] / n[i]); print "" }'
