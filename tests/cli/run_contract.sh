#!/usr/bin/env bash
# weft run / compile / validate / inspect as a user meets them: `--`, --version,
# v128 arguments and results, error labels, backtraces without a name section,
# imports weft cannot provide, inputs that are not regular files or are too
# big (a FIFO must not hang, a 100 GB sparse file must not be read), and
# --profile perfmap and jitdump.
#   run_contract.sh WEFT WAT2WASM
set -euo pipefail
weft=$(readlink -f "$1")
wat2wasm=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_exit CODE CMD...: runs CMD (stdout to $dir/out, stderr to $dir/err).
expect_exit() {
  local want=$1 code=0
  shift
  timeout 20 "$@" > "$dir/out" 2> "$dir/err" || code=$?
  [ "$code" = "$want" ] || fail "$* exited $code, expected $want; stderr: $(cat "$dir/err")"
}
expect_err() { grep -qE -- "$1" "$dir/err" || fail "stderr lacks /$1/: $(cat "$dir/err")"; }

# --version names the build that code-cache files are tied to.
expect_exit 0 "$weft" --version
grep -qE '^weft [0-9a-f]{40}' "$dir/out" || fail "--version: $(cat "$dir/out")"

cat > "$dir/m.wat" <<'WAT'
(module
  (memory 1)
  (func (export "add4") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func (export "fneg") (param v128) (result v128) (f32x4.neg (local.get 0)))
  (func (export "lanes") (param v128) (result i32 i64)
    (i8x16.extract_lane_s 15 (local.get 0)) (i64x2.extract_lane 0 (local.get 0)))
  (func $div (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "outer") (param i32) (result i32) (call $div (i32.const 1) (local.get 0))))
WAT
"$wat2wasm" "$dir/m.wat" -o "$dir/m.wasm"  # no --debug-names: no name section

# v128 in and out: lanes or 32 hex digits; results print as 0x + the 128-bit integer.
expect_exit 0 "$weft" run --invoke add4 "$dir/m.wasm" i32x4:1,2,3,-1 0x000000000000000000000000000000ff
[ "$(cat "$dir/out")" = 0xffffffff000000030000000200000100 ] || fail "i32x4 add: $(cat "$dir/out")"
expect_exit 0 "$weft" run --invoke fneg "$dir/m.wasm" f32x4:1,-2,0,inf
[ "$(cat "$dir/out")" = 0xff8000008000000040000000bf800000 ] || fail "f32x4 neg: $(cat "$dir/out")"
expect_exit 0 "$weft" run --invoke lanes "$dir/m.wasm" i8x16:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,-128
[ "$(tr '\n' ' ' < "$dir/out")" = "-128 578437695752307201 " ] || fail "lanes: $(cat "$dir/out")"
expect_exit 0 "$weft" run --invoke lanes "$dir/m.wasm" i64x2:0x8000000000000000,-1
[ "$(tr '\n' ' ' < "$dir/out")" = "-1 -9223372036854775808 " ] || fail "i64x2 lanes: $(cat "$dir/out")"
for bad in i32x4:1,2,3 i32x4:1,2,3,4294967296 i8x16:256,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0 0x123 f64x2:1,x nonsense; do
  expect_exit 2 "$weft" run --invoke fneg "$dir/m.wasm" "$bad"
  expect_err "argument 1: '.*' is not a valid v128"
done

# Without a name section a backtrace names functions by their exports.
expect_exit 1 "$weft" run --invoke outer "$dir/m.wasm" 0
expect_err 'integer divide by zero'
expect_err 'at function 3 \(export "div"\) \(module offset 0x[0-9a-f]+\)'
expect_err 'at function 4 \(export "outer"\)'

# `--` ends weft's options: the file may start with -, and its arguments too.
cp "$dir/m.wasm" "$dir/-m.wasm"
(cd "$dir" && expect_exit 0 "$weft" run --invoke div -- -m.wasm -7 2)
[ "$(cat "$dir/out")" = -3 ] || fail "run -- FILE: $(cat "$dir/out")"
expect_exit 2 "$weft" run --bogus "$dir/m.wasm"
expect_err "unknown option or missing value: --bogus"

# compile reports errors with their kind, as validate does.
printf '\0asm\1\0\0\0\1\5\1\x60\0\1\x7f\3\2\1\0\n\6\1\4\0\x42\0\x0b' > "$dir/bad.wasm"
expect_exit 1 "$weft" compile "$dir/bad.wasm" -o "$dir/bad.cwasm"
expect_err "bad.wasm:0x1a: invalid: in function 0: type mismatch"
[ ! -e "$dir/bad.cwasm" ] || fail "compile wrote a file for an invalid module"
expect_exit 1 "$weft" run "$dir/bad.wasm"
expect_err "bad.wasm:0x1a: invalid: in function 0: type mismatch"

# Imports weft run cannot provide are all listed at once.
echo '(module (import "env" "f" (func)) (import "env" "mem" (memory 1)) (import "other" "g" (global i32)))' > "$dir/imports.wat"
"$wat2wasm" "$dir/imports.wat" -o "$dir/imports.wasm"
expect_exit 1 "$weft" run "$dir/imports.wasm"
expect_err '"env" "f" \(func\), "env" "mem" \(memory\), "other" "g" \(global\)'

# A WASI program that does not export its memory is refused before it runs.
echo '(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (memory 1) (func (export "_start")))' > "$dir/nomem.wat"
"$wat2wasm" "$dir/nomem.wat" -o "$dir/nomem.wasm"
expect_exit 1 "$weft" run "$dir/nomem.wasm"
expect_err 'must export its linear memory as "memory"'

# Inputs that are not regular files, or too big: refused at once, nothing read.
mkfifo "$dir/fifo"
truncate -s 100G "$dir/sparse.wasm"
truncate -s 1100M "$dir/huge.wasm"
for command in "run" "validate" "inspect" "compile -o $dir/x.cwasm"; do
  code=1
  case $command in validate | inspect) code=2 ;; esac  # 2: cannot read; 1: invalid
  # shellcheck disable=SC2086
  expect_exit $code "$weft" $command "$dir/fifo"
  expect_err "fifo: error: cannot read: is a FIFO, not a regular file"
  # shellcheck disable=SC2086
  expect_exit $code "$weft" $command "$dir/sparse.wasm"
  expect_err "is 107374182400 bytes, more than the limit of 1073741824"
  # shellcheck disable=SC2086
  expect_exit $code "$weft" $command "$dir/huge.wasm"
  expect_err "is 1153433600 bytes, more than the limit of 1073741824"
  # shellcheck disable=SC2086
  expect_exit $code "$weft" $command "$dir"
  expect_err "is a directory, not a regular file"
done

# --profile perfmap: /tmp/perf-PID.map names every function (export names
# here, there being no name section) once, with its code range; the stubs too.
"$weft" run --profile perfmap --invoke outer "$dir/m.wasm" 2 > "$dir/out" 2> "$dir/err" &
pid=$!
wait "$pid" || fail "--profile perfmap run failed: $(cat "$dir/err")"
map=/tmp/perf-$pid.map
[ -s "$map" ] || fail "--profile perfmap wrote no $map"
for name in add4 fneg lanes div outer; do
  [ "$(grep -cE "^[0-9a-f]+ [0-9a-f]+ $name \\[wasm function [0-9]+\\]$" "$map")" = 1 ] ||
    fail "perf map: $name not there once: $(cat "$map")"
done
grep -q "weft runtime stubs" "$map" || fail "perf map: no stubs: $(cat "$map")"
rm -f "$map"
# --profile jitdump: /tmp/jit-PID.dump in perf's jitdump format ("JiTD"
# header), one code-load record per function with its name and code.
"$weft" run --profile jitdump --invoke outer "$dir/m.wasm" 2 > "$dir/out" 2> "$dir/err" &
pid=$!
wait "$pid" || fail "--profile jitdump run failed: $(cat "$dir/err")"
dump=/tmp/jit-$pid.dump
[ "$(head -c 4 "$dump" | od -An -tx1 | tr -d ' ')" = 4454694a ] || fail "jitdump: no JiTD header in $dump"
for name in add4 fneg lanes div outer; do
  [ "$(tr '\0' '\n' < "$dump" | grep -caE "^$name \\[wasm function [0-9]+\\]$")" = 1 ] ||
    fail "jitdump: no single record named $name"
done
[ "$(stat -c %s "$dump")" -gt $((40 + 5 * 56)) ] || fail "jitdump: too small to hold the code"
rm -f "$dump"
expect_exit 2 "$weft" run --profile gprof --invoke outer "$dir/m.wasm" 2
expect_err "--profile takes perfmap or jitdump"
echo "run contract: ok"
