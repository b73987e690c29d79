;; A WASI command whose imports weft run cannot all satisfy: two WASI names
;; that do not exist, an import from another module, and a real WASI function
;; with the wrong signature. The link error must name every one of them at
;; once (wasi_test.sh), not just the first.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "no_such_call" (func))
  (import "env" "host_only" (func (param i32)))
  (import "wasi_snapshot_preview1" "another_missing_call" (func (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func (param i64) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
