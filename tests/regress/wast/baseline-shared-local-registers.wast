;; The baseline's local.get of a cached local copies nothing: the operand
;; value shares the local's register. Each function here breaks what that
;; sharing could get wrong: the local written while values still share its
;; old register (post-increment, tee, a swap), an operator that overwrites its
;; operand when that operand is shared (the same local twice, an add into a
;; shared left operand), more shared values than registers (the allocator
;; spills shared values and evicts locals), arguments shared with locals a
;; call evicts, loads and stores whose address or value is shared, fused
;; compares and selects of the same local, constants added to a shared local,
;; and floats. The expected values
;; are worked out by hand; the optimizing tier runs this file too.
(module
  (memory 1)
  (func $add3 (param i32 i32 i32) (result i32)
    (i32.add (i32.mul (local.get 0) (i32.const 100)) (i32.add (i32.mul (local.get 1) (i32.const 10)) (local.get 2))))

  ;; x++ used as a value: the old x stays on the stack while x changes.
  (func (export "post_increment") (param $x i32) (result i32)
    (local.get $x)
    (local.set $x (i32.add (local.get $x) (i32.const 1)))
    ;; old * 1000 + new
    (i32.add (i32.mul (i32.const 1000)) (local.get $x)))

  ;; tee's value shares the local's register; then the local changes.
  (func (export "tee_then_set") (param $n i32) (result i32)
    (local $t i32)
    (local.tee $t (i32.add (local.get $n) (i32.const 5)))
    (local.set $t (i32.const 7))
    ;; (n + 5) * 10 + 7
    (i32.add (i32.mul (i32.const 10)) (local.get $t)))

  ;; a swap through the stack: both old values are on it before either set.
  (func (export "swap") (param $a i32) (param $b i32) (result i32)
    (local.get $a)
    (local.get $b)
    (local.set $a)
    (local.set $b)
    (i32.sub (i32.mul (local.get $a) (i32.const 100)) (local.get $b)))

  ;; the same local on both sides: the add must not overwrite x.
  (func (export "double_twice") (param $x i32) (result i32)
    (local.set $x (i32.add (local.get $x) (local.get $x)))
    (i32.add (local.get $x) (local.get $x)))

  ;; x - x, x * x, x == x, select x x: every operand shared with one local.
  (func (export "self_ops") (param $x i64) (result i64)
    (i64.add
      (i64.add (i64.sub (local.get $x) (local.get $x)) (i64.mul (local.get $x) (local.get $x)))
      (i64.add
        (i64.extend_i32_u (i64.eq (local.get $x) (local.get $x)))
        (select (local.get $x) (local.get $x) (i64.lt_s (local.get $x) (local.get $x))))))

  ;; twelve locals read twice each, all on the stack at once: more shared
  ;; values than registers, so values spill and locals give up registers.
  (func (export "pressure") (param $seed i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)
    (local $g i32) (local $h i32) (local $i i32) (local $j i32) (local $k i32) (local $l i32)
    (local.set $a (i32.add (local.get $seed) (i32.const 1)))
    (local.set $b (i32.add (local.get $seed) (i32.const 2)))
    (local.set $c (i32.add (local.get $seed) (i32.const 3)))
    (local.set $d (i32.add (local.get $seed) (i32.const 4)))
    (local.set $e (i32.add (local.get $seed) (i32.const 5)))
    (local.set $f (i32.add (local.get $seed) (i32.const 6)))
    (local.set $g (i32.add (local.get $seed) (i32.const 7)))
    (local.set $h (i32.add (local.get $seed) (i32.const 8)))
    (local.set $i (i32.add (local.get $seed) (i32.const 9)))
    (local.set $j (i32.add (local.get $seed) (i32.const 10)))
    (local.set $k (i32.add (local.get $seed) (i32.const 11)))
    (local.set $l (i32.add (local.get $seed) (i32.const 12)))
    (local.get $a) (local.get $b) (local.get $c) (local.get $d) (local.get $e) (local.get $f)
    (local.get $g) (local.get $h) (local.get $i) (local.get $j) (local.get $k) (local.get $l)
    (local.get $l) (local.get $k) (local.get $j) (local.get $i) (local.get $h) (local.get $g)
    (local.get $f) (local.get $e) (local.get $d) (local.get $c) (local.get $b) (local.get $a)
    ;; a weighted sum that notices any value in the wrong place: each
    ;; multiply-add folds the value below into the running total.
    (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    (i32.add (i32.mul (i32.const 3))) (i32.add (i32.mul (i32.const 3)))
    ;; and the locals themselves are intact afterwards
    (i32.add (local.get $a))
    (i32.add (local.get $l)))

  ;; the same local as several arguments, and a local set between the reads:
  ;; the call evicts the caller-saved locals the arguments share.
  (func (export "call_shared_arguments") (param $x i32) (param $y i32) (result i32)
    (local $z i32)
    (local.set $z (i32.add (local.get $x) (local.get $y)))
    (call $add3 (local.get $z) (local.get $x) (local.get $z))
    (local.set $z (call $add3 (local.get $y) (local.get $y) (local.get $y)))
    (i32.add (i32.mul (i32.const 10000)) (local.get $z)))

  ;; a load's address and a store's address and value shared with locals,
  ;; the address local written after the load was pushed.
  (func (export "memory_shared") (param $p i32) (param $v i32) (result i32)
    (i32.store offset=4 (local.get $p) (local.get $v))
    (i32.store offset=8 (local.get $p) (local.get $p))
    (i32.load offset=4 (local.get $p))
    (local.set $p (i32.add (local.get $p) (i32.const 4)))
    ;; v + (p + 4) + p_original read back through the moved p
    (i32.add (i32.load offset=4 (local.get $p)))
    (i32.add (local.get $p)))

  ;; a fused compare of a local with itself and with a tee of it, in a loop
  ;; whose counter is shared by the compare and the decrement.
  (func (export "countdown") (param $n i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $sum (i32.add (local.get $sum) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $next (i32.eq (local.get $n) (local.tee $n (local.get $n))))))
    (local.get $sum))

  ;; b = a would put two locals in one register were it not copied; the loop
  ;; header then expects each in its own.
  (func (export "copy_then_loop") (param $a i32) (result i32)
    (local $b i32) (local $i i32)
    (local.set $b (local.get $a))
    (local.set $i (i32.const 3))
    (loop $again
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $b (i32.mul (local.get $b) (i32.const 2)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $again (local.get $i)))
    (i32.add (i32.mul (local.get $a) (i32.const 1000)) (local.get $b)))

  ;; a constant added to a shared local goes to a register of its own in one
  ;; instruction (lea): an i32 result must wrap and be zero-extended.
  (func (export "add_constant_to_shared") (param $x i32) (param $y i64) (result i64)
    (i64.add
      (i64.extend_i32_u (i32.add (local.get $x) (i32.const 1)))
      (i64.add (i64.sub (local.get $y) (i64.const 5))
               (i64.extend_i32_u (i32.sub (local.get $x) (i32.const 2147483647))))))

  ;; the extremes of the addend: 2^31-1 and -2^31 (which a sub cannot
  ;; negate, so it takes the plain path), for i32 and i64.
  (func (export "add_constant_extremes") (param $x i32) (param $y i64) (result i64)
    (i64.add
      (i64.add (i64.extend_i32_u (i32.add (local.get $x) (i32.const 2147483647)))
               (i64.add (local.get $y) (i64.const 2147483647)))
      (i64.add (i64.sub (local.get $y) (i64.const -2147483648))
               (i64.add (i64.add (local.get $y) (i64.const -2147483648))
                        (i64.sub (local.get $y) (i64.const 2147483647))))))

  ;; the same as a memory address: upper bits left set would address past
  ;; 4 GiB instead of wrapping to 0.
  (func (export "load_at_wrapped") (param $p i32) (result i32)
    (i32.store (i32.const 0) (i32.const 77))
    (i32.load (i32.add (local.get $p) (i32.const 1))))

  ;; floats: the same local on both sides, and set while shared.
  (func (export "float_shared") (param $x f64) (result f64)
    (local.get $x)
    (local.set $x (f64.mul (local.get $x) (local.get $x)))
    (f64.add (f64.sub (local.get $x) (local.get $x)))
    (f64.add (local.get $x))
    (f64.add (f64.min (local.get $x) (local.get $x))))
)

(assert_return (invoke "post_increment" (i32.const 41)) (i32.const 41042))
(assert_return (invoke "post_increment" (i32.const -1)) (i32.const -1000))
(assert_return (invoke "tee_then_set" (i32.const 3)) (i32.const 87))
(assert_return (invoke "swap" (i32.const 3) (i32.const 9)) (i32.const 897))
(assert_return (invoke "double_twice" (i32.const 5)) (i32.const 20))
(assert_return (invoke "self_ops" (i64.const 7)) (i64.const 57))
(assert_return (invoke "self_ops" (i64.const -3)) (i64.const 7))
;; sum over k = 0..23 of v_k * 3^(23-k), v = 1..12 then 12..1 (plus seed),
;; plus a + l = 2 * seed + 13.
(assert_return (invoke "pressure" (i32.const 0)) (i32.const 1368223429))
(assert_return (invoke "pressure" (i32.const 100)) (i32.const 992578381))
(assert_return (invoke "call_shared_arguments" (i32.const 2) (i32.const 3)) (i32.const 5250333))
(assert_return (invoke "memory_shared" (i32.const 64) (i32.const 1000)) (i32.const 1132))
(assert_return (invoke "countdown" (i32.const 10)) (i32.const 55))
(assert_return (invoke "countdown" (i32.const 0)) (i32.const 0))
(assert_return (invoke "copy_then_loop" (i32.const 5)) (i32.const 8040))
(assert_return (invoke "add_constant_to_shared" (i32.const 2147483647) (i64.const 0)) (i64.const 2147483643))
(assert_return (invoke "add_constant_to_shared" (i32.const -1) (i64.const -10)) (i64.const 2147483633))
(assert_return (invoke "add_constant_extremes" (i32.const 1) (i64.const 0)) (i64.const 2147483648))
(assert_return (invoke "add_constant_extremes" (i32.const -1) (i64.const 10)) (i64.const 2147483686))
(assert_return (invoke "load_at_wrapped" (i32.const -1)) (i32.const 77))
(assert_return (invoke "float_shared" (f64.const 3)) (f64.const 21))
