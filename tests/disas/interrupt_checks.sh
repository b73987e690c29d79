#!/usr/bin/env bash
# Every loop header, and the entry of every function that calls, has its
# interrupt check: one compare of the vmctx interrupt flag (offset 24,
# VmctxHeader::interruptFlag) in the code of tests/wasm/runaway.wat (every
# shape of loop, calls with and without loops, recursion). A short function
# that neither loops nor calls has none: it ends within about its length
# (src/compiler/interrupt_points.h).
# The baseline has exactly one per loop, plus the entry's; the optimizing tier
# at least one per endless or long loop, none in an innermost loop LLVM bounds
# to little work (LLVM may also remove finite loops, and their checks with
# them). The behaviour is tested in unit/Interruption.
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
checks_in() {  # checks_in LISTING FUNCTION
  awk -v f="\"$2\"" '$1 == "function" { on = ($3 == f) } on' "$1" |
    grep -cE 'cmp dword ptr \[[a-z0-9]+ \+ 24\], 0' || true
}
expect() {  # expect TIER LISTING FUNCTION OP COUNT WHY
  local count
  count=$(checks_in "$2" "$3")
  [ "$count" "$4" "$5" ] || fail "$1: $3 has $count interrupt checks, expected $4 $5 ($6)"
}
"$weft" disas --tier baseline "$dir/runaway.wasm" > "$dir/baseline.txt"
"$weft" disas --tier optimizing "$dir/runaway.wasm" > "$dir/optimizing.txt"
listed=0
for endless in spin fill table carried bump_memory bump_global bump_beside_fill; do
  expect baseline "$dir/baseline.txt" $endless -eq 1 "its loop's"
  expect optimizing "$dir/optimizing.txt" $endless -ge 1 "its loop's"
  listed=$((listed + 1))
done
expect baseline "$dir/baseline.txt" nested -eq 2 "its two loops'"
expect optimizing "$dir/optimizing.txt" nested -ge 1 "the endless loop's"
expect baseline "$dir/baseline.txt" calls -eq 2 "its entry's and its loop's"
expect optimizing "$dir/optimizing.txt" calls -ge 2 "its entry's and its loop's"
expect baseline "$dir/baseline.txt" finite -eq 1 "its loop's"
expect baseline "$dir/baseline.txt" long -eq 1 "its loop's"
expect optimizing "$dir/optimizing.txt" long -ge 1 "its loop's: 2^31 iterations are too many to go unchecked"
expect baseline "$dir/baseline.txt" counted -eq 1 "its loop's"
expect optimizing "$dir/optimizing.txt" counted -eq 2 "its entry's and the checked version's of its loop"
backward=$(awk -v f='"counted"' '
  function hex(s,   v, i) { v = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return v }
  $1 == "function" { on = ($3 == f) }
  on && $NF ~ /^0x[0-9a-f]+$/ && $(NF-1) ~ /^j/ { if (hex($NF) < hex(substr($1, 1, length($1) - 1))) n++ }
  END { print n + 0 }' "$dir/optimizing.txt")
[ "$backward" -eq 2 ] || fail "optimizing: counted has $backward backward jumps, expected 2 (its loop and the unchecked copy for small counts)"
expect baseline "$dir/baseline.txt" short -eq 1 "its loop's"
expect optimizing "$dir/optimizing.txt" short -eq 1 "its entry's only: the loop's 1000 iterations are bounded work"
for calling in once sleep_then_count twice recurse; do
  expect baseline "$dir/baseline.txt" $calling -eq 1 "its entry's"
  expect optimizing "$dir/optimizing.txt" $calling -ge 1 "its entry's"
done
for leaf in tick leaf; do
  expect baseline "$dir/baseline.txt" $leaf -eq 0 "short, no loop, no call"
  expect optimizing "$dir/optimizing.txt" $leaf -eq 0 "short, no loop, no call"
done
expect baseline "$dir/baseline.txt" long_leaf -eq 1 "its entry's: no loop, no call, but over 256 bytes"
expect optimizing "$dir/optimizing.txt" long_leaf -eq 1 "its entry's: no loop, no call, but over 256 bytes"
for tier in baseline optimizing; do
  expect $tier "$dir/$tier.txt" leaf_256 -eq 0 "a body of exactly 256 bytes, the bound"
  expect $tier "$dir/$tier.txt" leaf_257 -eq 1 "its entry's: a body of 257 bytes, one past the bound"
done
# Every function of the module is listed above.
functions=$(grep -cE '^\s*\(func ' "$wat")
named=$((listed + 2 + 3 + 4 + 2 + 1 + 2 + 1))
[ "$functions" = "$named" ] || fail "runaway.wat has $functions functions, the script checks $named"
total=$(grep -cE 'cmp dword ptr \[[a-z0-9]+ \+ 24\], 0' "$dir/baseline.txt" || true)
echo "interrupt checks: ok ($functions functions, $total checks in the baseline's code)"
