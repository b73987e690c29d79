;; A trap inside a nested activation (wasm -> host -> wasm) unwinds to the
;; inner entry only: see trap_test.cpp, Traps.NestedTrapUnwindsToItsOwnEntry.
(module
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (memory 1)
  ;; Values live across the host call in locals, on the operand stack and in
  ;; the vmctx register.
  (func $outer (export "outer") (param $x i32) (result i32)
    (local $a i64) (local $b f64)
    (local.set $a (i64.extend_i32_u (i32.mul (local.get $x) (i32.const 3))))
    (local.set $b (f64.convert_i32_u (local.get $x)))
    (i32.add
      (i32.add (local.get $x) (i32.const 1000))
      (i32.add
        (call $reenter (local.get $x))
        (i32.add (i32.wrap_i64 (local.get $a)) (i32.trunc_f64_u (local.get $b))))))
  ;; 0: divide by zero (an explicit check), 1: out of bounds (a fault in the
  ;; guard strategy), otherwise unreachable.
  (func $trapper (export "trapper") (param $kind i32) (result i32)
    (if (i32.eqz (local.get $kind)) (then (return (i32.div_u (i32.const 1) (local.get $kind)))))
    (if (i32.eq (local.get $kind) (i32.const 1)) (then (return (i32.load (i32.const 70000)))))
    unreachable)
)
