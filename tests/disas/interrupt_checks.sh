#!/usr/bin/env bash
# Every function entry and loop header has its interrupt check: in the
# baseline's code of tests/wasm/runaway.wat (every shape of loop), one compare
# of the vmctx interrupt flag (offset 24, VmctxHeader::interruptFlag) per
# defined function and per loop; in the optimizing tier's, one per function
# entry and at least one per endless loop (LLVM may remove finite loops, and
# their checks with them). The behaviour is tested in unit/Interruption.
#   interrupt_checks.sh WEFT WAT2WASM
set -euo pipefail
weft=$(readlink -f "$1")
wat2wasm=$2
here=$(cd "$(dirname "$0")" && pwd)
wat=$here/../wasm/runaway.wat
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$wat2wasm" --debug-names "$wat" -o "$dir/runaway.wasm"
functions=$(grep -cE '^\s*\(func ' "$wat")
loops=$(grep -oE '\(loop ' "$wat" | wc -l)
checks() { grep -cE 'cmp dword ptr \[[a-z0-9]+ \+ 24\], 0' "$1" || true; }
"$weft" disas --tier baseline "$dir/runaway.wasm" > "$dir/baseline.txt"
[ "$(checks "$dir/baseline.txt")" = $((functions + loops)) ] ||
  fail "baseline: $(checks "$dir/baseline.txt") interrupt checks for $functions functions and $loops loops"
"$weft" disas --tier optimizing "$dir/runaway.wasm" > "$dir/optimizing.txt"
# Per function: the entry's check, plus one per loop that never ends.
for endless in spin fill nested table carried calls; do
  count=$(awk -v f="\"$endless\"" '$1 == "function" { on = ($3 == f) } on' "$dir/optimizing.txt" |
          grep -cE 'cmp dword ptr \[[a-z0-9]+ \+ 24\], 0' || true)
  [ "$count" -ge 2 ] || fail "optimizing: $endless has $count interrupt checks, expected its entry's and its loop's"
done
for plain in tick leaf sleep_then_count; do
  count=$(awk -v f="\"$plain\"" '$1 == "function" { on = ($3 == f) } on' "$dir/optimizing.txt" |
          grep -cE 'cmp dword ptr \[[a-z0-9]+ \+ 24\], 0' || true)
  [ "$count" = 1 ] || fail "optimizing: $plain has $count interrupt checks, expected its entry's"
done
echo "interrupt checks: ok ($functions functions, $loops loops)"
