#!/usr/bin/env bash
# weft compile / weft run FILE.cwasm / weft run --cache DIR: the CLI's code cache.
#   cache_contract.sh WEFT FAC.wasm
set -euo pipefail
weft=$1
fac=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$weft" compile "$fac" -o "$dir/fac.cwasm" || fail "compile"
[ "$("$weft" run --invoke fac_iterative "$dir/fac.cwasm" 20)" = 2432902008176640000 ] || fail "run .cwasm"
[ "$("$weft" run --invoke fac_iterative "$fac" 20)" = 2432902008176640000 ] || fail "run .wasm"

# A bounds-checked file runs with a bounds-checked engine when none is asked for.
"$weft" compile --memory bounds-checked "$fac" -o "$dir/fac-bc.cwasm" || fail "compile bounds-checked"
[ "$("$weft" run --invoke fac_recursive "$dir/fac-bc.cwasm" 5)" = 120 ] || fail "run bounds-checked .cwasm"
if "$weft" run --memory guard --invoke fac_recursive "$dir/fac-bc.cwasm" 5 2> "$dir/err"; then
  fail "a bounds-checked file ran under the guard strategy"
fi
grep -q "compiled for bounds-checked memories" "$dir/err" || fail "strategy mismatch message: $(cat "$dir/err")"

# Damage: flip a byte in the code, near the end of the file.
size=$(stat -c %s "$dir/fac.cwasm")
cp "$dir/fac.cwasm" "$dir/bad.cwasm"
printf '\xff' | dd of="$dir/bad.cwasm" bs=1 seek=$((size - 3)) conv=notrunc status=none
if "$weft" run --invoke fac_iterative "$dir/bad.cwasm" 20 2> "$dir/err"; then fail "a damaged file ran"; fi
grep -q "checksum" "$dir/err" || fail "damage message: $(cat "$dir/err")"

# --cache: the first run fills the directory, the second maps what it wrote.
[ "$("$weft" run --cache "$dir/cache" --invoke fac_recursive "$fac" 10)" = 3628800 ] || fail "first cached run"
files=("$dir"/cache/*.cwasm)
[ ${#files[@]} -eq 1 ] && [ -s "${files[0]}" ] || fail "cache directory holds no file"
before=$(stat -c %i "${files[0]}")  # a rewrite renames a new file (inode) into place
[ "$("$weft" run --cache "$dir/cache" --invoke fac_recursive "$fac" 12)" = 479001600 ] || fail "second cached run"
[ "$(stat -c %i "${files[0]}")" = "$before" ] || fail "the second run rewrote the cache file instead of using it"
echo "cache contract: ok"
