;; Found by differential execution fuzzing (tests/differential): in the guard
;; strategy the optimizing tier lost the trap of a load whose value was dead
;; (a local set from it and never read again: LLVM deleted the load), and a
;; load LLVM sank past a call_indirect's checks faulted with no bytecode
;; offset (LLVM drops the line of moved code), which the trap handler took for
;; a fault in Weft's own code ("unknown site").
(module
  (type $t (func (param i64 i32 i64 i32 i64)))
  (memory 1)
  (table 4 funcref)
  (elem (i32.const 3) $nothing)
  (func $nothing (param i64 i32 i64 i32 i64))
  (func (export "dead_through_local") (local i32)
    (local.set 0 (i32.xor (i32.load8_u (i32.const -38)) (local.get 0))))
  (func (export "dead_into_unread_local") (result i32) (local i32)
    (local.set 0 (i32.load (i32.const 65536)))
    (i32.const 1))
  (func (export "sunk_past_call_indirect")
    (call_indirect (type $t) (i64.const -97) (i32.const 0) (i64.const -8666199386751)
      (i32.load8_u offset=1 (i32.const -6225902)) (i64.const 0) (i32.const 3)))
  (func (export "in_bounds_dead") (local i32)
    (local.set 0 (i32.load (i32.const 65532)))))
(assert_trap (invoke "dead_through_local") "out of bounds memory access")
(assert_trap (invoke "dead_into_unread_local") "out of bounds memory access")
(assert_trap (invoke "sunk_past_call_indirect") "out of bounds memory access")
(assert_return (invoke "in_bounds_dead"))

;; A load under a trap LLVM finds certain: its value's use is unreachable,
;; but the load runs first and faults (Translator::linearMemory). Before the fix
;; the optimizing tier, guard strategy, reported the later trap. (The atomic
;; form is tests/differential/findings/load-operand-of-misaligned-atomic.wat.)
(module
  (memory 1)
  (func (export "operand of a division by zero") (result i32)
    (i32.div_u (i32.load (i32.const -4)) (i32.const 0)))
  (func (export "under a remainder by zero") (result i64)
    (i64.add (i64.load (i32.const 65535)) (i64.rem_s (i64.const 1) (i64.const 0))))
  (func (export "under a truncation of NaN") (result i32)
    (i32.add (i32.load16_u (i32.const 65535)) (i32.trunc_f32_s (f32.const nan)))))
(assert_trap (invoke "operand of a division by zero") "out of bounds memory access")
(assert_trap (invoke "under a remainder by zero") "out of bounds memory access")
(assert_trap (invoke "under a truncation of NaN") "out of bounds memory access")

;; A load left on the stack by a branch LLVM knows is taken: the path that
;; used it is unreachable, but the load ran before the branch and faults
;; (Translator::linearMemory). Reduced from fuzzing seed 10510.
(module
  (memory 1)
  (func (export "under a br_if always taken") (result f64)
    (block $out (result f64)
      (f64.store offset=1 (i32.load offset=4 (i32.const -550678427))
        (br_if $out (f64.const 0) (i32.const -30675)))
      (unreachable)))
  (func (export "under a br out of an if") (result i32)
    (block $out (result i32)
      (i32.add (i32.load (i32.const 65535))
        (if (result i32) (i32.const 1)
          (then (br $out (i32.const 7)))
          (else (i32.const 0)))))))
(assert_trap (invoke "under a br_if always taken") "out of bounds memory access")
(assert_trap (invoke "under a br out of an if") "out of bounds memory access")
