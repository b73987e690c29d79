#!/usr/bin/env bash
# weft run on WASI programs: arguments, environment, exit codes, file I/O in a
# preopened temporary directory, escape attempts, and a trap's backtrace.
#   wasi_test.sh WEFT WASM_DIR
set -euo pipefail
weft=$1
wasm=$2
work=$(mktemp -d)
outside=$(mktemp -d)
trap 'rm -rf "$work" "$outside"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$(HOME=/root "$weft" run --env GREETING=hello "$wasm/args_env_exit.wasm" 7 two) && fail "exit code 7 expected" || code=$?
[ "${code:-0}" = 7 ] || fail "exit code ${code:-0}, expected 7"
echo "$out" | grep -qx "argc=3" || fail "argc: $out"
echo "$out" | grep -qx "arg2=two" || fail "args: $out"
echo "$out" | grep -qx "GREETING=hello" || fail "env: $out"
echo "$out" | grep -qx "HOME=(unset)" || fail "the host environment leaked: $out"

# Symlinks that point out of the preopen.
ln -s /etc "$work/outside"
ln -s .. "$work/up"
out=$("$weft" run --dir "$work::/data" "$wasm/files.wasm") || fail "files.wasm failed: $out"
echo "$out"
echo "$out" | grep -qx "failures=0" || fail "file test: $out"
[ ! -e "$work/../escape.txt" ] && [ ! -e "$work/../escape-dir" ] || fail "something was created outside the preopen"

if "$weft" run "$wasm/trap.wasm" > "$outside/out" 2> "$outside/err"; then fail "trap.wasm exited 0"; fi
grep -q "before the trap" "$outside/out" || fail "stdout before the trap: $(cat "$outside/out")"
grep -q "integer divide by zero" "$outside/err" || fail "trap kind: $(cat "$outside/err")"
grep -q 'at function [0-9]* "divide" (module offset 0x[0-9a-f]*)' "$outside/err" || fail "backtrace: $(cat "$outside/err")"
grep -q '"middle"' "$outside/err" && grep -q '"main"' "$outside/err" || fail "backtrace names: $(cat "$outside/err")"
echo "wasi: ok"
