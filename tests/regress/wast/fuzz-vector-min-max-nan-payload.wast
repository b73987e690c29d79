;; Differential fuzzing found the tiers giving different NaNs for vector
;; min/max: the baseline's helper made the canonical NaN, the optimizing
;; tier (and every scalar min/max) a NaN operand, quieted: which one, when
;; both were NaNs, depended on the order a compiler put an addition's
;; operands in. The spec allows any of these; Weft gives the first NaN
;; operand, quieted, in every tier, so tier-up never changes what a program
;; stores. Cases: a NaN with a payload against a number, a number against a
;; signaling NaN, two NaNs either way round, scalar and vector.
(module
  (memory 1)
  (func (export "f64x2.max") (result i64 i64)
    (v128.store (i32.const 0)
      (f64x2.max
        (v128.const i64x2 0xffffffe6b610384d 0x3ff0000000000000)
        (v128.const i64x2 0x6f80001800017068 0x7ff0000000000123)))
    (i64.load (i32.const 0)) (i64.load (i32.const 8)))
  (func (export "f64x2.min") (param $a i64) (param $b i64) (result i64)
    (v128.store (i32.const 0)
      (f64x2.min (i64x2.splat (local.get $a)) (i64x2.splat (local.get $b))))
    (i64.load (i32.const 0)))
  (func (export "f32x4.max") (param $a i32) (param $b i32) (result i32)
    (v128.store (i32.const 0)
      (f32x4.max (i32x4.splat (local.get $a)) (i32x4.splat (local.get $b))))
    (i32.load (i32.const 0)))
  (func (export "f32x4.min") (param $a i32) (param $b i32) (result i32)
    (v128.store (i32.const 0)
      (f32x4.min (i32x4.splat (local.get $a)) (i32x4.splat (local.get $b))))
    (i32.load (i32.const 0)))
  (func (export "f32.max") (param $a i32) (param $b i32) (result i32)
    (i32.reinterpret_f32 (f32.max (f32.reinterpret_i32 (local.get $a)) (f32.reinterpret_i32 (local.get $b)))))
  (func (export "f64.min") (param $a i64) (param $b i64) (result i64)
    (i64.reinterpret_f64 (f64.min (f64.reinterpret_i64 (local.get $a)) (f64.reinterpret_i64 (local.get $b))))))

(assert_return (invoke "f64x2.max") (i64.const 0xffffffe6b610384d) (i64.const 0x7ff8000000000123))
(assert_return (invoke "f64x2.min" (i64.const 0x7ff4000000000001) (i64.const 0x7ffc000000000002))
  (i64.const 0x7ffc000000000001))
(assert_return (invoke "f32x4.max" (i32.const 0x3f800000) (i32.const 0xff812345)) (i32.const 0xffc12345))
(assert_return (invoke "f32x4.min" (i32.const 0x7fc00abc) (i32.const 0x7f800001)) (i32.const 0x7fc00abc))
(assert_return (invoke "f32.max" (i32.const 0x3f800000) (i32.const 0xff812345)) (i32.const 0xffc12345))
(assert_return (invoke "f32.max" (i32.const 0x7f800001) (i32.const 0x7fc00abc)) (i32.const 0x7fc00001))
(assert_return (invoke "f32x4.max" (i32.const 0x7f800001) (i32.const 0x7fc00abc)) (i32.const 0x7fc00001))
(assert_return (invoke "f64.min" (i64.const 0x7ff4000000000001) (i64.const 0x7ffc000000000002))
  (i64.const 0x7ffc000000000001))
(assert_return (invoke "f64.min" (i64.const 0xfff0000000000005) (i64.const 0x7ff4000000000001))
  (i64.const 0xfff8000000000005))
(assert_return (invoke "f64x2.min" (i64.const 0xfff0000000000005) (i64.const 0x7ff4000000000001))
  (i64.const 0xfff8000000000005))
