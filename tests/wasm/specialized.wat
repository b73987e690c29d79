;; A growable memory of one page, and one that cannot grow: a specialized
;; instance has the base of its memory as a constant (and, bounds-checked, the
;; length of the one that cannot grow), and must still reach pages that
;; memory.grow adds later.
(module
  (memory (export "memory") 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
