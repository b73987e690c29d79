#!/usr/bin/env bash
# Golden disassembly (Wasmtime's disas tests are the model): the machine code
# each tier makes of a few operators per family (the *.wat here), in both
# memory strategies (control.wat also counting fuel), must equal NAME.golden.
# A change to the compilers that bloats code or drops a bounds or interrupt
# check shows up as a diff in review. After an intended change:
#   tests/disas/check.sh build/weft wat2wasm --update     and review the diff.
# --baseline-only: for a Weft built by another compiler than GCC (the golden
# build). The optimizing tier's translator then creates some IR in another
# order (C++ leaves the order of evaluating call arguments open), which LLVM
# schedules differently: same semantics, other bytes. The baseline's code is
# the same from every compiler.
#   check.sh WEFT WAT2WASM [--update | --baseline-only]
set -euo pipefail
weft=$(readlink -f "$1")
wat2wasm=$2
update=${3:-}
# The baseline's functions of a disassembly, without the blank separators.
baseline_part() { awk '/^function / { keep = ($0 ~ /\(baseline, /) } keep && NF' "$1"; }
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failed=0
for wat in "$here"/*.wat; do
  name=$(basename "$wat" .wat)
  "$wat2wasm" --debug-names --enable-threads "$wat" -o "$dir/$name.wasm"
  configs=("--tier baseline --memory guard" "--tier baseline --memory bounds-checked"
           "--tier optimizing --memory guard" "--tier optimizing --memory bounds-checked")
  if [ "$name" = control ]; then
    configs+=("--tier baseline --memory guard --count-fuel" "--tier optimizing --memory guard --count-fuel")
  fi
  : > "$dir/$name.txt"
  for config in "${configs[@]}"; do
    # shellcheck disable=SC2086
    "$weft" disas $config "$dir/$name.wasm" >> "$dir/$name.txt"
    echo >> "$dir/$name.txt"
  done
  if [ "$update" = --update ]; then
    cp "$dir/$name.txt" "$here/$name.golden"
  elif [ "$update" = --baseline-only ]; then
    if ! diff -u <(baseline_part "$here/$name.golden") <(baseline_part "$dir/$name.txt") > "$dir/$name.diff"; then
      echo "FAIL: $name: the baseline's code differs from tests/disas/$name.golden:" >&2
      head -80 "$dir/$name.diff" >&2
      failed=1
    fi
  elif ! diff -u "$here/$name.golden" "$dir/$name.txt" > "$dir/$name.diff"; then
    echo "FAIL: $name: the code differs from tests/disas/$name.golden:" >&2
    head -80 "$dir/$name.diff" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || { echo "if the change is intended: $0 WEFT WAT2WASM --update, and review the diff" >&2; exit 1; }
echo "golden disassembly: ok${update:+ ($update)}"
