;; `local.get x ... op local.set x`: the baseline works in x's own register
;; when no other value shares it, so the write moves nothing. These functions
;; do that with every kind of operator it applies to (integer binary with a
;; register, a slot and a constant operand, shifts, integer and float unary,
;; float binary), with local.tee, in a loop that keeps x in a register, and
;; with x's old value still on the stack below (the operator must then work on
;; a copy: the old value is read after the write). Expected values are worked
;; out in the comments.
(module
  (func (export "int_ops") (param $x i32) (param $y i32) (result i32)
    (local.set $x (i32.add (local.get $x) (local.get $y)))   ;; 10 + 3 = 13
    (local.set $x (i32.mul (local.get $x) (i32.const 5)))    ;; 65
    (local.set $x (i32.sub (local.get $x) (i32.const 1)))    ;; 64
    (local.set $x (i32.shl (local.get $x) (local.get $y)))   ;; 512
    (local.set $x (i32.or (local.get $x) (i32.const 7)))     ;; 519
    (local.set $x (i32.ctz (local.get $x)))                  ;; 0
    (local.set $x (i32.xor (local.get $x) (local.get $y)))   ;; 3
    (local.get $x))
  (func (export "i64_ops") (param $x i64) (result i64)
    (local.set $x (i64.add (local.get $x) (i64.const -1)))   ;; 0xffffffff
    (local.set $x (i64.rotl (local.get $x) (i64.const 32)))  ;; 0xffffffff00000000
    (local.set $x (i64.popcnt (local.get $x)))               ;; 32
    (local.get $x))
  (func (export "float_ops") (param $x f64) (param $y f64) (result f64)
    (local.set $x (f64.mul (local.get $x) (local.get $y)))   ;; 1.5 * 4 = 6
    (local.set $x (f64.neg (local.get $x)))                  ;; -6
    (local.set $x (f64.sub (local.get $x) (f64.const 0.25))) ;; -6.25
    (local.set $x (f64.abs (local.get $x)))                  ;; 6.25
    (local.set $x (f64.sqrt (local.get $x)))                 ;; 2.5
    (local.get $x))
  (func (export "f32_ops") (param $x f32) (result f32)
    (local.set $x (f32.add (local.get $x) (f32.const 1)))    ;; 2.5 + 1 = 3.5
    (local.set $x (f32.floor (local.get $x)))                ;; 3
    (local.get $x))
  (func (export "tee") (param $x i32) (result i32)
    (i32.add
      (local.tee $x (i32.add (local.get $x) (i32.const 1)))  ;; 41 + 1 = 42
      (local.get $x)))                                       ;; 84
  ;; the old value below: 10 + (10 + 1) * 2 read back = 10 + 22 = 32
  (func (export "old_value_below") (param $x i32) (result i32)
    (local.get $x)
    (local.set $x (i32.add (local.get $x) (i32.const 1)))
    (local.set $x (i32.mul (local.get $x) (i32.const 2)))
    (i32.add (local.get $x)))
  ;; the same with floats: 1.5 - (1.5 * 3 = 4.5) = -3
  (func (export "old_float_below") (param $x f64) (result f64)
    (local.get $x)
    (local.set $x (f64.mul (local.get $x) (f64.const 3)))
    (f64.sub (local.get $x)))
  ;; the other operand is x too: x = x + x, then x - x = 0 plus old x
  (func (export "both_operands") (param $x i32) (result i32)
    (local.set $x (i32.add (local.get $x) (local.get $x)))   ;; 7 -> 14
    (i32.add (local.get $x) (i32.sub (local.get $x) (local.get $x))))
  ;; sum of 1..n and a running product mod 2^32, both locals kept in
  ;; registers by the loop: n = 10: 55 and 10! = 3628800
  (func (export "loop_sum") (param $n i32) (result i64)
    (local $sum i32) (local $product i32) (local $i i32)
    (local.set $product (i32.const 1))
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $sum (i32.add (local.get $sum) (local.get $i)))
      (local.set $product (i32.mul (local.get $product) (local.get $i)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $sum)) (i64.const 32))
      (i64.extend_i32_u (local.get $product))))
  ;; a value of x taken before a branch and used after it
  (func (export "across_if") (param $x i32) (param $c i32) (result i32)
    (local.get $x)
    (if (local.get $c) (then (local.set $x (i32.shl (local.get $x) (i32.const 4)))))
    (i32.sub (local.get $x)))                                ;; 3 - 48 = -45 or 3 - 3 = 0
)

(assert_return (invoke "int_ops" (i32.const 10) (i32.const 3)) (i32.const 3))
(assert_return (invoke "i64_ops" (i64.const 0x100000000)) (i64.const 32))
(assert_return (invoke "float_ops" (f64.const 1.5) (f64.const 4)) (f64.const 2.5))
(assert_return (invoke "f32_ops" (f32.const 2.5)) (f32.const 3))
(assert_return (invoke "tee" (i32.const 41)) (i32.const 84))
(assert_return (invoke "old_value_below" (i32.const 10)) (i32.const 32))
(assert_return (invoke "old_float_below" (f64.const 1.5)) (f64.const -3))
(assert_return (invoke "both_operands" (i32.const 7)) (i32.const 14))
(assert_return (invoke "loop_sum" (i32.const 10)) (i64.const 0x0000003700375f00))
(assert_return (invoke "across_if" (i32.const 3) (i32.const 1)) (i32.const -45))
(assert_return (invoke "across_if" (i32.const 3) (i32.const 0)) (i32.const 0))

;; The write the baseline peeks at is not validated yet: an index past the
;; locals (one past, 2^31, 2^32-1 as a 5-byte LEB) must be refused as the
;; validator refuses it, with no register given up for it.
(assert_invalid
  (module (func (param i32) (local.set 1 (i32.add (local.get 0) (i32.const 1)))))
  "unknown local")
(assert_invalid
  (module (func (param i32) (local.set 2147483648 (i32.add (local.get 0) (i32.const 1)))))
  "unknown local")
(assert_invalid
  (module (func (param i32) (local.tee 4294967295 (i32.add (local.get 0) (i32.const 1))) (drop)))
  "unknown local")
