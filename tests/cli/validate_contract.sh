#!/usr/bin/env bash
# `weft validate` and `weft inspect`: exit codes and the FILE:0xOFFSET: reason format.
set -u
weft=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # description, expected, actual
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected [$2], got [$3]"
    failures=$((failures + 1))
  fi
}

# (module (func (result i32) i32.const 1)) — valid
printf '\x00asm\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7f\x03\x02\x01\x00\x0a\x06\x01\x04\x00\x41\x01\x0b' > "$work/ok.wasm"
# the same function returning f32.const 1.0: a type mismatch found at its `end`, offset 0x1d
printf '\x00asm\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7f\x03\x02\x01\x00\x0a\x09\x01\x07\x00\x43\x00\x00\x80\x3f\x0b' > "$work/bad.wasm"
# a truncated header
printf '\x00asm\x01\x00' > "$work/short.wasm"

"$weft" validate "$work/ok.wasm" > "$work/out" 2>&1
check "valid module exit code" 0 $?
check "valid module message" "$work/ok.wasm: valid" "$(cat "$work/out")"

"$weft" validate "$work/bad.wasm" > "$work/out" 2>&1
check "invalid module exit code" 1 $?
check "invalid module message" \
  "$work/bad.wasm:0x1d: invalid: in function 0: type mismatch in end: expected i32, got f32" "$(cat "$work/out")"

"$weft" validate "$work/short.wasm" > "$work/out" 2>&1
check "truncated module exit code" 1 $?
check "truncated module message" "$work/short.wasm:0x4: malformed: unexpected end: unknown binary version" \
  "$(cat "$work/out")"

"$weft" validate "$work/missing.wasm" > "$work/out" 2>&1
check "missing file exit code" 2 $?

"$weft" inspect "$work/ok.wasm" > "$work/out" 2>&1
check "inspect exit code" 0 $?
grep -q "1 functions (0 imported)" "$work/out" || { echo "FAIL: inspect lacks the function count"; cat "$work/out"; failures=$((failures + 1)); }

echo "$(( 8 - failures )) passed, $failures failed"
[ $failures -eq 0 ]
