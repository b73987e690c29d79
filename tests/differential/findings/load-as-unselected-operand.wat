;; Fuzzing finding (fixed), seed 10793 reduced: an out-of-bounds load is the
;; operand a select with a constant condition does not choose. LLVM folded the
;; select, found the load dead and deleted it, so the optimizing tier, guard
;; strategy, returned where the load must fault ("out of bounds"). Linear-
;; memory accesses are now volatile in the guard strategy
;; (Translator::linearMemory).
(module
  (memory 16 17 shared)
  (data "\1e\00\00\00\f4\00\00\00\00\00\7f\00\00\00\b6")
  (func (export "func_2") (result f64)
    (if (i32.const 1)
      (then
        (memory.init 0
          (select (i32.const 16384) (i32.load offset=4 (i32.const -87)) (i32.const -38))
          (i32.const 8) (i32.const 6))
        (unreachable)))
    (f64.const -1125899906842623.9)))
