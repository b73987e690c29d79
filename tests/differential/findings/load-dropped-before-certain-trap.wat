;; Fuzzing finding (fixed): an out-of-bounds load whose value is compared
;; with an atomic load from a misaligned constant address. Once LLVM knew
;; the atomic's alignment trap was certain, the compare was unreachable and
;; the load dead, so the optimizing tier (guard strategy) trapped "unaligned
;; atomic" where the load must fault first ("out of bounds"). Linear-memory
;; accesses are now volatile in the guard strategy (Translator::linearMemory).
(module
  (memory 16 17 shared)
  (func (export "func_1")
    (if (i64.ge_s (i64.load offset=22 align=1 (i32.const -32768))
                  (i64.atomic.load32_u (i32.const 11)))
      (then nop))))
