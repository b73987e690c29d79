;; A small module with a one-page memory and a global: what a plugin host
;; instantiates many times.
(module
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 16) "weft")
  (func (export "bump") (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (i32.add (i32.load (i32.const 0)) (i32.mul (global.get $calls) (i32.const 1000))))
  (func (export "nothing")))
