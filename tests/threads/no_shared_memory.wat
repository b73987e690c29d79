;; thread-spawn from a module whose memory is its own and not shared: there
;; is nothing for a thread to share, so the call returns an error code (a
;; negative WASI errno: -58, ENOTSUP) instead of a thread. Exit code 0 when
;; it does, 1 otherwise.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "wasi_thread_start") (param i32 i32))
  (func (export "_start")
    (call $exit (select (i32.const 0) (i32.const 1) (i32.eq (call $spawn (i32.const 0)) (i32.const -58))))))
