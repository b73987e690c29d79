;; Fuzzing finding: the optimizing tier (guard strategy) deleted a load whose
;; value was dead (a local set from it, never read again) and lost its trap.
(module
  (memory 16 17 shared)
  (func $0 (local i32)
    (local.set 0 (i32.xor (i32.load8_u (i32.const -38)) (local.get 0))))
  (func (export "func_invoker") (call $0)))
