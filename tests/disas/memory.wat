;; Linear memory: loads and stores with offsets (the bounds check, or none in
;; the guard strategy), growth, size and fill.
(module
  (memory 1 100)
  (func $load (export "load") (param i32) (result i32) (i32.load offset=16 (local.get 0)))
  (func $load8 (export "load8") (param i32) (result i32) (i32.load8_s (local.get 0)))
  (func $store8 (export "store8") (param i32 i64) (i64.store8 offset=3 (local.get 0) (local.get 1)))
  (func $copy_word (export "copy_word") (param i32 i32)
    (i32.store (local.get 1) (i32.load (local.get 0))))
  (func $grow (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func $size (export "size") (result i32) (memory.size))
  (func $fill (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2))))
