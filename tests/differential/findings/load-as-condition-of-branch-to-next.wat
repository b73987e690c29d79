;; Fuzzing finding (fixed), seed 10977 reduced: an out-of-bounds load is the
;; condition of a br_if whose target is where it would fall through anyway.
;; LLVM merged the two ways, found the load dead and deleted it, so the
;; optimizing tier, guard strategy, returned where the load must fault ("out
;; of bounds"). Linear-memory accesses are now volatile in the guard strategy
;; (Translator::linearMemory).
(module
  (memory 16 17 shared)
  (func (export "func_14") (result f32)
    (block $next (br_if $next (i32.load8_u offset=22 (i32.const -81))))
    (f32.const 0)))
