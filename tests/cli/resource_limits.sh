#!/usr/bin/env bash
# A guest that asks for more memory or table space than the host has gets -1
# from memory.grow/table.grow, or a clear instantiation error naming what was
# too big; weft never aborts (DESIGN 10, 11). The host's limit is `ulimit -v`.
#   resource_limits.sh WEFT WAT2WASM [sanitized]
# AddressSanitizer reserves terabytes of shadow address space, so ulimit -v
# cannot run under it: a sanitized build checks the engine's own budget in its
# unit tests (ResourceBudgetTest) and skips this script, saying so.
set -euo pipefail
weft=$1
wat2wasm=$2
if [ "${3:-}" = sanitized ]; then
  echo "resource limits: skipped in the sanitized build (ulimit -v and ASan's shadow memory exclude each other)"
  exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# Runs weft under an address-space limit of $1 KiB; stdout to $dir/out, stderr to $dir/err.
limited() {
  local kib=$1
  shift
  (ulimit -v "$kib"; exec "$weft" "$@") > "$dir/out" 2> "$dir/err"
}
no_abort() {
  ! grep -qiE "terminate|abort|bad_alloc" "$dir/err" || fail "$1: weft aborted: $(cat "$dir/err")"
}

# 1,000 tables of 10 million elements: 80 GB asked for by a 6 KB module.
{
  echo "(module"
  for i in $(seq 1000); do echo "  (table 10000000 funcref)"; done
  echo ")"
} > "$dir/tables.wat"
"$wat2wasm" "$dir/tables.wat" -o "$dir/tables.wasm"
code=0
limited 2000000 run --memory bounds-checked "$dir/tables.wasm" || code=$?
[ "$code" = 1 ] || fail "1,000 big tables: exit $code, expected 1: $(cat "$dir/err")"
grep -qE "table [0-9]+: cannot allocate a table of 10000000 elements \(80000000 bytes\): out of host memory" "$dir/err" ||
  fail "1,000 big tables: message: $(cat "$dir/err")"
no_abort "1,000 big tables"

# table.grow by 10 million elements on each of 60 tables, from compiled code.
{
  echo "(module"
  for i in $(seq 60); do echo "  (table \$t$i 0 funcref)"; done
  echo '  (func (export "grow_all") (param $delta i32) (result i32) (local $failures i32)'
  for i in $(seq 60); do
    echo "    (if (i32.eq (table.grow \$t$i (ref.null func) (local.get \$delta)) (i32.const -1))"
    echo "      (then (local.set \$failures (i32.add (local.get \$failures) (i32.const 1)))))"
  done
  echo '    (local.get $failures)))'
} > "$dir/grow_tables.wat"
"$wat2wasm" "$dir/grow_tables.wat" -o "$dir/grow_tables.wasm"
limited 1000000 run --invoke grow_all "$dir/grow_tables.wasm" 10000000 || fail "table.grow under ulimit: $(cat "$dir/err")"
failures=$(cat "$dir/out")
[ "$failures" -gt 0 ] && [ "$failures" -lt 60 ] || fail "table.grow under ulimit: $failures of 60 grows failed"
no_abort "table.grow"

# memory.grow in a loop until the host says no: -1, and the program goes on.
cat > "$dir/grow_memory.wat" <<'WAT'
(module
  (memory 1)
  (func (export "grow_until_refused") (result i32)
    (loop $more
      (br_if $more (i32.ne (memory.grow (i32.const 1024)) (i32.const -1))))
    (memory.size)))
WAT
"$wat2wasm" "$dir/grow_memory.wat" -o "$dir/grow_memory.wasm"
limited 1000000 run --memory bounds-checked --invoke grow_until_refused "$dir/grow_memory.wasm" ||
  fail "memory.grow under ulimit: $(cat "$dir/err")"
pages=$(cat "$dir/out")
[ "$pages" -ge 1 ] && [ "$pages" -lt 16384 ] || fail "memory.grow under a 1 GB ulimit reached $pages pages"
no_abort "memory.grow"

# A memory the host cannot hold at instantiation, in each strategy.
echo '(module (memory 60000))' > "$dir/big_memory.wat"
"$wat2wasm" "$dir/big_memory.wat" -o "$dir/big_memory.wasm"
code=0
limited 1000000 run --memory bounds-checked "$dir/big_memory.wasm" || code=$?
[ "$code" = 1 ] || fail "big memory: exit $code"
grep -q "memory 0: cannot allocate a memory of 60000 pages (3932160000 bytes): out of host memory" "$dir/err" ||
  fail "big memory message: $(cat "$dir/err")"
code=0
limited 1000000 run --memory guard "$dir/big_memory.wasm" || code=$?
[ "$code" = 1 ] || fail "guard reservation: exit $code"
grep -q "memory 0: cannot reserve .* bounds-checked memory strategy needs no reservation" "$dir/err" ||
  fail "guard reservation message: $(cat "$dir/err")"
echo "resource limits: ok"
