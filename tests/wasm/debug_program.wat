;; The debugger's test program (tests/unit/debugger_test.cpp): recursion,
;; calls, a loop, a trap, an operand stack of several types, globals and
;; memory. Function indices: fac 0, stack 1, spin 2, divide 3, twice 4,
;; double 5.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "weft")
  (global $counter (export "counter") (mut i32) (i32.const 42))
  (global $wide i64 (i64.const -5))
  (func $fac (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fac (i64.sub (local.get $n) (i64.const 1)))))))
  (func $stack (export "stack") (result i32)
    i32.const 7
    i64.const 9
    f32.const 1.5
    drop
    drop
    drop
    i32.const 1)
  (func $spin (export "spin") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
    (local.get $i))
  (func $divide (export "divide") (param $a i32) (param $b i32) (result i32) (local $scratch i32)
    (local.set $scratch (i32.const 99))
    (i32.div_u (local.get $a) (local.get $b)))
  (func $twice (export "twice") (param $x i32) (result i32) (local $y i32)
    (local.set $y (call $double (local.get $x)))
    (i32.add (local.get $y) (i32.const 1)))
  (func $double (param $v i32) (result i32)
    (i32.add (local.get $v) (local.get $v))))
