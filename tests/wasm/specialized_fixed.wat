;; A memory of three pages that cannot grow: bounds-checked specialized code
;; compares with its length as a constant (196608 bytes).
(module
  (memory (export "memory") 3 3)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
