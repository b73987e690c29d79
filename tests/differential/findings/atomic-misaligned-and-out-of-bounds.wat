;; Fuzzing finding (a difference between the engines, not a bug): an atomic
;; access both misaligned and out of bounds. The threads spec checks the
;; alignment first, as Weft does ("unaligned atomic"); binaryen's interpreter
;; checks the bounds first. The harness accepts either.
(module
  (memory 1 1 shared)
  (func (export "load") (result i32) (i32.atomic.load (i32.const -2)))
  (func (export "rmw") (result i64) (i64.atomic.rmw.add offset=3 (i32.const 65534) (i64.const 1))))
