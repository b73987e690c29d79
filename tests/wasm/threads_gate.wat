;; wasi-threads by hand, for the API tests (unit/wasi_threads_test.cpp).
;; Memory words: 0 threads started, 4 the gate (0 closed), 8 threads done.
;; run(n) spawns n threads that count themselves in, wait at the gate, and
;; count themselves out; it returns how many finished once the gate opens.
;; spawn(arg) spawns one thread: arg 99 traps in it, arg 100 + c calls
;; proc_exit(c) in it.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 16 shared))
  (func $await_gate
    (block $open
      (loop $closed
        (br_if $open (i32.atomic.load (i32.const 4)))
        (drop (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const 1000000)))
        (br $closed))))
  (func $thread_trips (unreachable))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (if (i32.eq (local.get $arg) (i32.const 99)) (then (call $thread_trips)))
    (if (i32.gt_u (local.get $arg) (i32.const 99))
      (then (call $exit (i32.sub (local.get $arg) (i32.const 100)))))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (call $await_gate)
    (drop (i32.atomic.rmw.add (i32.const 8) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 8) (i32.const 1))))
  (func (export "spawn") (param $arg i32) (result i32) (call $spawn (local.get $arg)))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $done i32)
    (block $spawned
      (loop $more
        (br_if $spawned (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.lt_s (call $spawn (local.get $i)) (i32.const 0)) (then (return (i32.const -1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))
    (call $await_gate)
    (block $all
      (loop $wait
        (local.set $done (i32.atomic.load (i32.const 8)))
        (br_if $all (i32.ge_u (local.get $done) (local.get $n)))
        (drop (memory.atomic.wait32 (i32.const 8) (local.get $done) (i64.const 1000000)))
        (br $wait)))
    (i32.atomic.load (i32.const 8))))
