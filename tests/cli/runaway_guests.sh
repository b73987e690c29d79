#!/usr/bin/env bash
# Guests that never stop or take too much, as `weft run` users stop them:
# --timeout interrupts a guest spinning in `loop br 0` (each tier, both
# strategies) with the "interrupted" trap and its backtrace within 1.5 s, and
# ends one blocked in a WASI read; --fuel stops a guest at an exact operator
# count, from a .wasm or a .cwasm compiled to count fuel; --max-memory, --max-table-elements and
# --max-wasm-stack fail growth with -1, instantiation with an error, and deep
# recursion with "call stack exhausted"; bad values are usage errors.
#   runaway_guests.sh WEFT WAT2WASM [sanitized]
# A sanitized build starts slower: its time bounds are looser.
set -euo pipefail
weft=$(readlink -f "$1")
wat2wasm=$2
slack_ms=0
[ "${3:-}" = sanitized ] && slack_ms=3000
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# run_for CODE MAX_MS CMD...: CMD must exit CODE within MAX_MS (+ slack);
# stdout to $dir/out, stderr to $dir/err.
run_for() {
  local want=$1 max=$(($2 + slack_ms)) code=0 begin
  shift 2
  begin=$(now_ms)
  timeout 60 "$@" > "$dir/out" 2> "$dir/err" || code=$?
  local took=$(($(now_ms) - begin))
  [ "$code" = "$want" ] || fail "$* exited $code, expected $want; stderr: $(cat "$dir/err")"
  [ "$took" -le "$max" ] || fail "$* took $took ms, more than $max"
}
expect_err() { grep -qE -- "$1" "$dir/err" || fail "stderr lacks /$1/: $(cat "$dir/err")"; }

cat > "$dir/spin.wat" <<'WAT'
(module
  (func $spin (export "spin") (loop $l (br $l)))
  ;; 8n + 2 units of fuel (tests/wasm/fuel.wat explains the count).
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func $deep (export "deep") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1))))))))
WAT
"$wat2wasm" --debug-names "$dir/spin.wat" -o "$dir/spin.wasm"
# A WASI command whose _start spins, and one that reads stdin.
cat > "$dir/wasi_spin.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func $spin (loop $l (br $l)))
  (func (export "_start") (call $spin)))
WAT
cat > "$dir/wasi_read.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))   ;; iovec: buffer at 64,
    (i32.store (i32.const 4) (i32.const 16))   ;; 16 bytes
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
    (loop $l (br $l))))
WAT
"$wat2wasm" --debug-names "$dir/wasi_spin.wat" -o "$dir/wasi_spin.wasm"
"$wat2wasm" "$dir/wasi_read.wat" -o "$dir/wasi_read.wasm"

# --timeout 1s stops `loop br 0` within 1.5 s, whatever the tier and strategy.
for tier in baseline optimizing tiered; do
  for memory in guard bounds-checked; do
    run_for 1 1500 "$weft" run --tier $tier --memory $memory --timeout 1s --invoke spin "$dir/spin.wasm"
    expect_err '^.*spin.wasm: trap: interrupted$'
    expect_err 'at function 0 "spin" \(module offset 0x[0-9a-f]+\)'
    run_for 134 1500 "$weft" run --tier $tier --memory $memory --timeout 1s "$dir/wasi_spin.wasm"
    expect_err 'trap: interrupted'
    expect_err 'at function 1 "spin"'
  done
done
# A guest that finishes in time is not disturbed, and a short timeout is short.
run_for 0 1500 "$weft" run --timeout 1h --invoke deep "$dir/spin.wasm" 10
[ "$(cat "$dir/out")" = 10 ] || fail "deep 10 under --timeout 1h: $(cat "$dir/out")"
run_for 1 1000 "$weft" run --timeout 100ms --invoke spin "$dir/spin.wasm"
expect_err 'interrupted'

# Blocked in a WASI read that never returns: the interrupt cannot wake it, so
# 2 s after the timeout weft ends the process, saying why.
code=0
begin=$(now_ms)
timeout 60 "$weft" run --timeout 500ms "$dir/wasi_read.wasm" < <(sleep 20) > "$dir/out" 2> "$dir/err" || code=$?
took=$(($(now_ms) - begin))
[ "$code" = 134 ] || fail "blocked read: exit $code: $(cat "$dir/err")"
[ "$took" -le $((4000 + slack_ms)) ] || fail "blocked read: took $took ms"
expect_err 'interrupted by --timeout 500ms, but the guest is blocked in a host call'
# The same guest given input returns from the read, then spins until interrupted.
run_for 134 1500 "$weft" run --timeout 500ms "$dir/wasi_read.wasm" < "$dir/spin.wat"
expect_err 'trap: interrupted'

# --fuel: exactly 82 units for count(10), in either tier, compiled or cached.
for tier in baseline optimizing; do
  run_for 0 10000 "$weft" run --tier $tier --fuel 82 --timings --invoke count "$dir/spin.wasm" 10
  [ "$(cat "$dir/out")" = 10 ] || fail "count 10 on 82 units ($tier): $(cat "$dir/out")"
  expect_err '^weft: fuel: 82 used, 0 left$'
  run_for 1 10000 "$weft" run --tier $tier --fuel 81 --invoke count "$dir/spin.wasm" 10
  expect_err 'trap: out of fuel'
  expect_err 'at function 1 \(export "count"\)'
  run_for 1 10000 "$weft" run --tier $tier --fuel 1000000 --invoke spin "$dir/spin.wasm"
  expect_err 'trap: out of fuel'
done
"$weft" compile --count-fuel --tier baseline "$dir/spin.wasm" -o "$dir/fuel.cwasm" > /dev/null
run_for 0 10000 "$weft" run --fuel 1000 --timings --invoke count "$dir/fuel.cwasm" 10
expect_err '^weft: fuel: 82 used, 918 left$'
run_for 1 10000 "$weft" run --invoke count "$dir/fuel.cwasm" 10
expect_err 'its code counts fuel, the engine does not'
"$weft" compile --tier baseline "$dir/spin.wasm" -o "$dir/plain.cwasm" > /dev/null
run_for 1 10000 "$weft" run --fuel 1000 --invoke count "$dir/plain.cwasm" 10
expect_err 'its code does not count fuel, the engine does'

# --max-memory: growth stops at the limit (1024 pages of 64 KiB in 64M) and
# the process stays near it, though the guest touches every page it gets.
cat > "$dir/grow.wat" <<'WAT'
(module
  (memory 1)
  (func (export "grow_all") (result i32) (local $pages i32)
    (local.set $pages (i32.const 1))
    (block $full
      (loop $more
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (i32.store8 (i32.mul (local.get $pages) (i32.const 65536)) (i32.const 1))
        (local.set $pages (i32.add (local.get $pages) (i32.const 1)))
        (br $more)))
    (local.get $pages)))
WAT
"$wat2wasm" "$dir/grow.wat" -o "$dir/grow.wasm"
for memory in guard bounds-checked; do
  run_for 0 10000 "$weft" run --tier baseline --memory $memory --max-memory 64M --timings --invoke grow_all "$dir/grow.wasm"
  [ "$(cat "$dir/out")" = 1024 ] || fail "--max-memory 64M ($memory): grew to $(cat "$dir/out") pages"
  peak=$(sed -nE 's/.*peak memory ([0-9]+)\.[0-9] MiB.*/\1/p' "$dir/err")
  [ -n "$peak" ] || fail "no peak memory in --timings: $(cat "$dir/err")"
  if [ "${3:-}" != sanitized ]; then
    [ "$peak" -lt 112 ] || fail "--max-memory 64M ($memory): peak memory $peak MiB"
  fi
done
run_for 0 10000 "$weft" run --tier baseline --max-memory 100000 --invoke grow_all "$dir/grow.wasm"
[ "$(cat "$dir/out")" = 1 ] || fail "--max-memory 100000 (one page): grew to $(cat "$dir/out")"
echo '(module (memory 2000))' > "$dir/big.wat"
"$wat2wasm" "$dir/big.wat" -o "$dir/big.wasm"
run_for 1 10000 "$weft" run --max-memory 64M "$dir/big.wasm"
expect_err 'memory 0: .*2000 pages.*1024'

# --max-table-elements: table.grow past it is -1; a larger table fails to instantiate.
cat > "$dir/table.wat" <<'WAT'
(module
  (table 5 funcref)
  (func (export "grow") (param i32) (result i32) (table.grow 0 (ref.null func) (local.get 0))))
WAT
"$wat2wasm" "$dir/table.wat" -o "$dir/table.wasm"
run_for 0 10000 "$weft" run --max-table-elements 10 --invoke grow "$dir/table.wasm" 5
[ "$(cat "$dir/out")" = 5 ] || fail "table.grow to the limit: $(cat "$dir/out")"
run_for 0 10000 "$weft" run --max-table-elements 10 --invoke grow "$dir/table.wasm" 6
[ "$(cat "$dir/out")" = -1 ] || fail "table.grow past the limit: $(cat "$dir/out")"
run_for 1 10000 "$weft" run --max-table-elements 4 "$dir/table.wasm"
expect_err 'table 0'

# --max-wasm-stack: recursion that fits the default stack traps in 64K.
run_for 0 10000 "$weft" run --invoke deep "$dir/spin.wasm" 2000
run_for 1 10000 "$weft" run --max-wasm-stack 64K --invoke deep "$dir/spin.wasm" 2000
expect_err 'trap: call stack exhausted'
run_for 0 10000 "$weft" run --max-wasm-stack 64K --invoke deep "$dir/spin.wasm" 20

# Values that are not what they should be are usage errors, never wrapped.
for bad in "--timeout 5" "--timeout -1s" "--timeout 1.5s" "--timeout 99999999999999999999s" \
           "--max-memory 64X" "--max-memory 18446744073709551616" "--max-memory 17179869184G" \
           "--max-wasm-stack 0" "--max-table-elements 4294967296" "--max-table-elements 10K" \
           "--fuel -1" "--fuel 1K" "--fuel 18446744073709551616"; do
  # shellcheck disable=SC2086
  run_for 2 10000 "$weft" run $bad --invoke spin "$dir/spin.wasm"
  expect_err "^weft run: ${bad%% *} needs"
done
echo "runaway guests: ok"
