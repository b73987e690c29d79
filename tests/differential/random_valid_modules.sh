#!/usr/bin/env bash
# Differential test: binaryen turns random bytes into valid modules (wasm-opt
# -ttf) with the features Weft decodes (not reference types: binaryen 108 then
# emits typed-reference encodings that are not WebAssembly 2.0). Every module
# wabt's wasm-validate accepts, Weft must accept too. Fails loudly when a tool
# is missing.
#   random_valid_modules.sh WEFT [COUNT]
set -u
weft=$1
count=${2:-60}
for tool in wasm-opt wasm-validate; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool not found (install binaryen and wabt)"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
for i in $(seq 1 "$count"); do
  # Fixed seeds keep failures reproducible: the input is a function of $i.
  python3 -c "import random,sys; r=random.Random($i); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(8192)))" > "$work/seed"
  wasm-opt -ttf "$work/seed" -o "$work/m.wasm" --enable-simd --enable-bulk-memory \
    --enable-sign-ext --enable-nontrapping-float-to-int --enable-multivalue --enable-threads \
    --enable-mutable-globals > /dev/null 2>&1 || continue
  wasm-validate --enable-threads "$work/m.wasm" > /dev/null 2>&1 || continue  # only what wabt also accepts
  if "$weft" validate "$work/m.wasm" > "$work/out" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: seed $i: $(cat "$work/out")"
    cp "$work/m.wasm" "/tmp/weft-random-valid-$i.wasm"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
