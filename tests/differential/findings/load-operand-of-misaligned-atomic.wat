;; Fuzzing finding (fixed): an out-of-bounds load is an operand of an atomic
;; cmpxchg at a misaligned constant address. The load runs first and must
;; fault ("out of bounds"); the optimizing tier, guard strategy, dropped it
;; once the atomic's alignment trap was certain ("unaligned atomic").
;; Linear-memory accesses are now volatile in the guard strategy
;; (Translator::linearMemory).
(module
  (memory 16 17 shared)
  (func (export "func") (result i32)
    (drop
      (i64.atomic.rmw32.cmpxchg_u offset=4 (i32.const 9) (i64.const -41)
        (i64.load32_s offset=22 (i32.const -115))))
    (i32.const 0)))
