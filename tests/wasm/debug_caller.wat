;; Calls into another instance (of debug_program.wat) from a loop, for the
;; debugger's two-instance test (tests/unit/debugger_test.cpp).
(module
  (import "program" "twice" (func $twice (param i32) (result i32)))
  (func $sum (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $twice (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
