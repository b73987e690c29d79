;; Atomics on a shared memory: alignment checks and the locked instructions.
(module
  (memory 1 1 shared)
  (func $load (export "load") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func $add (export "add") (param i32 i32) (result i32) (i32.atomic.rmw.add (local.get 0) (local.get 1)))
  (func $cmpxchg (export "cmpxchg") (param i32 i64 i64) (result i64)
    (i64.atomic.rmw.cmpxchg (local.get 0) (local.get 1) (local.get 2)))
  (func $store (export "store") (param i32 i32) (i32.atomic.store8 (local.get 0) (local.get 1))))
