;; The memory pool's test module with a memory of three pages (at most 8):
;; another shape for the same pool.
(module
  (memory (export "memory") 3 8)
  (func (export "fill") (param $byte i32)
    (memory.fill (i32.const 0) (local.get $byte) (i32.mul (memory.size) (i32.const 65536))))
  (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages)))
  (func (export "load") (param $address i32) (result i32) (i32.load8_u (local.get $address))))
