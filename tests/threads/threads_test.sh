#!/usr/bin/env bash
# wasi-threads under `weft run`, in both memory strategies: threaded C
# programs (tlib.h) with exact outputs and exit codes, a trapping thread and
# an exiting one ending the whole program, the main thread's return ending it
# while others still run, 200 threads over a program's life,
# the thread limit, and modules that cannot have threads. Every run is
# bounded in time: a hang fails.
#   threads_test.sh WEFT WASM_DIR
set -euo pipefail
weft=$1
wasm=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
# run EXPECTED_EXIT ARGS...: stdout in $out, stderr in $err.
run() {
  local expected=$1; shift
  local code=0
  out=$(timeout 120 "$weft" run "$@" 2> /tmp/threads_test_err.$$) || code=$?
  err=$(cat /tmp/threads_test_err.$$); rm -f /tmp/threads_test_err.$$
  [ "$code" != 124 ] || fail "weft run $* hung (killed after 120 s)"
  [ "$code" = "$expected" ] || fail "weft run $*: exit $code, expected $expected; stderr: $err"
}

for memory in guard bounds-checked; do
  echo "== --memory $memory"
  m=(--memory "$memory")
  run 0 "${m[@]}" "$wasm/mandelbrot.wasm" 1
  single=$out
  echo "$single" | head -1 | grep -qx "mandelbrot 480x320 iterations=12900991 checksum=7127279546813881800" ||
    fail "mandelbrot on one thread: $(echo "$single" | head -1)"
  for threads in 2 4 8; do
    run 0 "${m[@]}" "$wasm/mandelbrot.wasm" "$threads"
    [ "$out" = "$single" ] || fail "mandelbrot on $threads threads differs from one thread"
  done
  run 0 "${m[@]}" --tier optimizing "$wasm/mandelbrot.wasm" 8
  [ "$out" = "$single" ] || fail "mandelbrot on 8 threads, optimizing tier, differs from one thread"

  run 0 "${m[@]}" "$wasm/counter.wasm" 8 125000
  [ "$out" = "counter=1000000 tls_failures=0" ] || fail "counter: $out"

  run 0 "${m[@]}" "$wasm/queue.wasm" 2 2 50000
  [ "$out" = "consumed=100000 sum=2500050000" ] || fail "queue: $out"
  run 0 "${m[@]}" "$wasm/queue.wasm" 3 5 20000
  [ "$out" = "consumed=60000 sum=600030000" ] || fail "queue 3x5: $out"

  for how in unreachable out-of-bounds divide; do
    run 134 "${m[@]}" "$wasm/thread_trap.wasm" "$how"
    [ "$out" = "worker started" ] || fail "thread_trap $how: stdout $out"
    case $how in
      unreachable) message="unreachable" ;;
      out-of-bounds) message="out of bounds memory access" ;;
      divide) message="integer divide by zero" ;;
    esac
    echo "$err" | grep -q "thread_trap.wasm: trap in thread 1: $message" || fail "thread_trap $how: stderr $err"
    echo "$err" | grep -q '"thread_trips"' || fail "thread_trap $how: no backtrace naming the function: $err"
    echo "$err" | grep -q '"wasi_thread_start"' || fail "thread_trap $how: backtrace without the thread's entry: $err"
    ! echo "$out" | grep -q "main thread ran on" || fail "the main thread ran on after a thread trapped"
  done

  run 3 "${m[@]}" "$wasm/thread_exit.wasm"
  [ "$out" = "exiting with 3" ] || fail "thread_exit: $out"

  run 5 "${m[@]}" "$wasm/main_returns.wasm"
  [ "$out" = "main done" ] || fail "main_returns: $out"

  run 0 "${m[@]}" "$wasm/many_threads.wasm" 200 8
  [ "$out" = "threads=200 distinct=200 positive=200" ] || fail "many_threads: $out"

  run 0 "${m[@]}" --max-threads 5 "$wasm/thread_limit.wasm"
  [ "$out" = "spawned=5 error=-6" ] || fail "--max-threads 5: $out"
  run 0 "${m[@]}" --max-threads 0 "$wasm/thread_limit.wasm"
  [ "$out" = "spawned=0 error=-6" ] || fail "--max-threads 0: $out"
  run 0 "${m[@]}" "$wasm/thread_limit.wasm"
  [ "$out" = "spawned=64 error=0" ] || fail "default limit: $out"

  run 0 "${m[@]}" "$wasm/no_shared_memory.wasm"
  run 134 "${m[@]}" "$wasm/no_thread_start.wasm"
  echo "$err" | grep -q 'needs the module to export "wasi_thread_start"' || fail "no_thread_start: $err"
done

# One WASI context for all threads: a descriptor the main thread opened in
# the preopen is written by four others, which read the environment too.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run 0 --dir "$work::/data" --env WHO=weft "$wasm/shared_state.wasm"
[ "$(sort "$work/threads.txt")" = "$(printf 'thread %s weft\n' 1 2 3 4)" ] ||
  fail "shared_state: $(cat "$work/threads.txt")"

for bad in many -1 1000001 4294967296 18446744073709551616; do
  run 2 --max-threads "$bad" "$wasm/mandelbrot.wasm"
  echo "$err" | grep -q -- "--max-threads needs a count" || fail "--max-threads $bad: $err"
done
echo "all threads tests passed"
