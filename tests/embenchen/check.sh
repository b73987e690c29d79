#!/usr/bin/env bash
# Real programs through the optimizing tier: the 14 embenchen programs (built
# from Debian's emscripten sources by ../shared/bench/build-embenchen.sh) at
# their small size give node's output under `--tier optimizing` in both
# memory strategies, and as specialized instances (bounds-checked: constant
# base, length from instance data). Decimals, times of day and their padding are masked (some
# programs print their own timings), as bench/embenchen.sh does.
#   check.sh WEFT SHARED_BENCH_DIR OUTDIR
set -euo pipefail
weft=$(realpath "$1")
shared=$(realpath "$2")
out=$(realpath -m "$3")
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in node clang-14 python3; do
  command -v "$tool" > /dev/null || fail "$tool is missing (scripts/setup-debian.sh installs it)"
done
[ -f /usr/share/emscripten/tests/test_benchmark.py ] || fail "emscripten's sources are missing (apt-get install emscripten)"
[ -f "$out/programs.txt" ] || "$shared/build-embenchen.sh" "$out" > "$out.build.log" 2>&1 ||
  fail "building the programs failed: $(tail -5 "$out.build.log")"
masks=$(cd "$(dirname "$0")/../../scripts" && pwd)/mask-timings.sed
mask() { sed -E -f "$masks"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
configs=("--tier optimizing --memory guard" "--tier optimizing --memory bounds-checked"
         "--specialize --memory bounds-checked")
failures=0 checked=0
while IFS='|' read -r name _src _flags small _standard; do
  wasm=$out/wasm/$name.wasm
  # node 18 sometimes crashes on exit after a program has finished (base64:
  # SIGSEGV once its output is complete): its output is the reference, its
  # exit status is not. A truncated reference can only fail the comparison.
  want=$(node --no-warnings "$shared/run-node-wasi.mjs" "$wasm" $small 2>&1 < /dev/null | mask || true)
  [ -n "$want" ] || fail "$name: node printed nothing"
  for config in "${configs[@]}"; do
    checked=$((checked + 1))
    # shellcheck disable=SC2086
    if ! got=$("$weft" run $config --dir . "$wasm" $small 2>&1 < /dev/null | mask); then
      echo "$name ($config): weft exited non-zero" >&2
      failures=$((failures + 1))
    elif [ "$got" != "$want" ]; then
      echo "$name ($config): output differs from node's:" >&2
      diff <(echo "$want") <(echo "$got") | head -10 >&2
      failures=$((failures + 1))
    fi
  done
done < "$out/programs.txt"
echo "embenchen: $((checked - failures)) of $checked program runs give node's output"
[ "$checked" -eq $((14 * ${#configs[@]})) ] || fail "expected 14 programs, checked $((checked / ${#configs[@]}))"
[ "$failures" -eq 0 ]
