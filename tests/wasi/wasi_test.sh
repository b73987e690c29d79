#!/usr/bin/env bash
# weft run on WASI programs: arguments, environment, exit codes, file I/O in a
# preopened temporary directory, escape attempts, and a trap's backtrace; the
# file calls (advise, allocate, datasync, sizes, times, links) with their
# effects checked from the host; rights, proc_raise, ENOTSOCK and guest numbers
# at their extremes; and one link error naming every unknown import.
#   wasi_test.sh WEFT WASM_DIR
set -euo pipefail
weft=$1
wasm=$2
here=$(cd "$(dirname "$0")" && pwd)
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

# ---- file_calls.wasm: the guest checks results, the host checks effects ----
echo secret > "$outside/secret"
secretMtime=$(stat -c %Y "$outside/secret")
ln -s target.txt "$work/target-link"
echo followed > "$work/followed.txt"
ln -s followed.txt "$work/followed-link"
ln -s original.txt "$work/original-link"
ln -s "$outside/secret" "$work/secret-absolute"
ln -s "../$(basename "$outside")/secret" "$work/secret-relative"
ln -s "$outside/secret" "$work/outside-file-link"
out=$("$weft" run --dir "$work::/data" "$wasm/file_calls.wasm" "$(basename "$outside")") || fail "file_calls.wasm failed: $out"
echo "$out" | grep -qx "failures=0" || fail "file calls: $out"
[ "$(stat -c %s "$work/sized.bin")" = 1234 ] || fail "ftruncate: size $(stat -c %s "$work/sized.bin"), expected 1234"
[ "$(stat -c %Y "$work/sized.bin")" = 1500000000 ] || fail "futimens: mtime $(stat -c %Y "$work/sized.bin")"
[ "$(stat -c %X "$work/sized.bin")" = 1000000000 ] || fail "futimens: atime $(stat -c %X "$work/sized.bin")"
[ "$(stat -c %Y "$work/stamped.txt")" = 1234567890 ] || fail "utimensat: mtime $(stat -c %Y "$work/stamped.txt")"
[ "$(stat -c %Y "$work/utime.txt")" = 1111111111 ] || fail "utime: mtime $(stat -c %Y "$work/utime.txt")"
[ "$(stat -c %Y "$work/target-link")" = 1300000000 ] || fail "AT_SYMLINK_NOFOLLOW did not stamp the link"
[ "$(stat -c %Y "$work/target.txt")" != 1300000000 ] || fail "AT_SYMLINK_NOFOLLOW stamped the target"
[ "$(stat -c %Y "$work/followed.txt")" = 1400000000 ] || fail "following a link did not stamp its target"
[ "$(stat -c %Y "$work/followed-link")" != 1400000000 ] || fail "following a link stamped the link"
[ "$(stat -c %h "$work/original.txt")" = 5 ] || fail "link count $(stat -c %h "$work/original.txt"), expected 5"
for name in hard.txt hard-followed.txt sub/deeper.txt from-sub.txt; do
  [ "$(stat -c %i "$work/$name")" = "$(stat -c %i "$work/original.txt")" ] || fail "$name is not a hard link"
done
[ -L "$work/link-to-link" ] || fail "a link made without following should be the symlink itself"
[ "$(stat -c %h "$outside/secret")" = 1 ] || fail "a file outside the preopen was hard-linked"
[ "$(stat -c %Y "$outside/secret")" = "$secretMtime" ] || fail "a file outside the preopen was stamped"
for name in stolen-up stolen-dotdot stolen-absolute stolen-relative stolen-etc bad-flags from-stdout bad-fd; do
  [ ! -e "$work/$name" ] || fail "$name was created"
done
for escaped in "$work/../escaped-link" "$outside/escaped-link" /tmp/escaped-link "$work/tmp/escaped-link" \
               "$work/../stamp-escape"; do
  [ ! -e "$escaped" ] || fail "$escaped was created outside the preopen"
done

# ---- rights_and_limits.wasm: in a fresh preopen ----
limits="$work/limits"
mkdir "$limits"
out=$("$weft" run --dir "$limits::/data" "$wasm/rights_and_limits.wasm") || fail "rights_and_limits.wasm: $out"
echo "$out" | grep -qx "failures=0" || fail "rights and limits: $out"
[ "$(stat -c %s "$limits/rights.txt")" = 3 ] || fail "a write went through after FD_WRITE was dropped"
[ "$(stat -c %s "$limits/rights-dir/derived.txt")" = 0 ] || fail "a file without FD_WRITE was written"
[ "$(stat -c %s "$limits/extremes.txt")" = 8 ] || fail "refused writes changed extremes.txt"
[ ! -e "$limits/never-created.txt" ] || fail "path_open created a file, then reported EFAULT"
echo "file calls, rights, limits: ok"

# ---- a module with several imports weft run cannot give: all named at once ----
wat2wasm "$here/unknown_imports.wat" -o "$outside/unknown_imports.wasm" || fail "wat2wasm (wabt) is needed"
if "$weft" run "$outside/unknown_imports.wasm" 2> "$outside/err"; then fail "unknown imports were accepted"; fi
for expected in '"wasi_snapshot_preview1" "no_such_call"' '"wasi_snapshot_preview1" "another_missing_call"' \
                '"env" "host_only"' '"wasi_snapshot_preview1" "fd_close" is (i32) -> (i32)'; do
  grep -qF "$expected" "$outside/err" || fail "the link error does not name $expected: $(cat "$outside/err")"
done
if grep -q '"fd_write"' "$outside/err"; then fail "a good import was reported: $(cat "$outside/err")"; fi
[ "$(wc -l < "$outside/err")" = 1 ] || fail "one error message expected: $(cat "$outside/err")"

# ---- a reactor: _initialize (constructors, preopens) runs before --invoke ----
printf 'hello, reactor\n' > "$work/greeting.txt"
out=$("$weft" run --dir "$work::/data" --invoke count_bytes "$wasm/reactor.wasm") || fail "reactor count_bytes: $out"
[ "$out" = 15 ] || fail "reactor: count_bytes printed '$out', expected 15 (preopens set up by _initialize)"
out=$("$weft" run --invoke constructor_ran "$wasm/reactor.wasm") || fail "reactor constructor_ran: $out"
[ "$out" = 42 ] || fail "reactor: constructors did not run before the export: '$out'"
if "$weft" run "$wasm/reactor.wasm" 2> "$outside/err"; then fail "a reactor ran without --invoke"; fi
grep -q "WASI reactor (it exports _initialize, no _start)" "$outside/err" || fail "reactor message: $(cat "$outside/err")"
echo "reactor: ok"

if "$weft" run "$wasm/trap.wasm" > "$outside/out" 2> "$outside/err"; then fail "trap.wasm exited 0"; fi
grep -q "before the trap" "$outside/out" || fail "stdout before the trap: $(cat "$outside/out")"
grep -q "integer divide by zero" "$outside/err" || fail "trap kind: $(cat "$outside/err")"
grep -q 'at function [0-9]* "divide" (module offset 0x[0-9a-f]*)' "$outside/err" || fail "backtrace: $(cat "$outside/err")"
grep -q '"middle"' "$outside/err" && grep -q '"main"' "$outside/err" || fail "backtrace names: $(cat "$outside/err")"
echo "wasi: ok"
