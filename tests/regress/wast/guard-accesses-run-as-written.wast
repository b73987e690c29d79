;; In the guard strategy a linear-memory access is its own bounds check: out
;; of bounds it faults on the guard region. So it must run as written, at full
;; width, in order, whether or not its value is used (Translator::linearMemory).
;; Each case below failed in the optimizing tier, guard strategy, before its
;; accesses became volatile; the baseline and the bounds-checked strategy
;; passed them all along.

;; LLVM narrowed a load of which only some bytes are used: (x & 0xff) read
;; one byte, so an access straddling the end of memory did not fault.
(module
  (memory 1)
  (func (export "low byte of i32") (param i32) (result i32)
    (i32.and (i32.load (local.get 0)) (i32.const 0xff)))
  (func (export "low byte of i64") (param i32) (result i64)
    (i64.and (i64.load (local.get 0)) (i64.const 0xff)))
  (func (export "high byte of i32") (param i32) (result i32)
    (i32.shr_u (i32.load (local.get 0)) (i32.const 24)))
  (func (export "low half of i64") (param i32) (result i32)
    (i32.wrap_i64 (i64.load (local.get 0))))
  (func (export "lane 0 of v128") (param i32) (result i32)
    (i32x4.extract_lane 0 (v128.load (local.get 0))))
  (func (export "low byte is zero") (param i32) (result i32)
    (i32.eqz (i32.and (i32.load (local.get 0)) (i32.const 0xff))))
  (func (export "set bit 8 in place") (param i32)
    (i32.store (local.get 0) (i32.or (i32.load (local.get 0)) (i32.const 0x100))))
  (func (export "in bounds") (result i32)
    (i32.add (i32.and (i32.load (i32.const 65532)) (i32.const 0xff))
             (i32x4.extract_lane 0 (v128.load (i32.const 65520))))))
(assert_trap (invoke "low byte of i32" (i32.const 65534)) "out of bounds memory access")
(assert_trap (invoke "low byte of i64" (i32.const 65532)) "out of bounds memory access")
(assert_trap (invoke "high byte of i32" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "low half of i64" (i32.const 65532)) "out of bounds memory access")
(assert_trap (invoke "lane 0 of v128" (i32.const 65528)) "out of bounds memory access")
(assert_trap (invoke "low byte is zero" (i32.const 65534)) "out of bounds memory access")
(assert_trap (invoke "set bit 8 in place" (i32.const 65534)) "out of bounds memory access")
(assert_return (invoke "in bounds") (i32.const 0))

;; LLVM merged two adjacent stores into one wider store, which faulted before
;; the in-bounds half was written; the first store must stay visible.
(module
  (memory 1)
  (func (export "in bounds, then out") (param i32)
    (i32.store (local.get 0) (i32.const 0x11111111))
    (i32.store offset=4 (local.get 0) (i32.const 0x22222222)))
  (func (export "store, faulting load, store") (param i32 i32)
    (i32.store (local.get 0) (i32.const 7))
    (drop (i32.load (local.get 1)))
    (i32.store (local.get 0) (i32.const 9)))
  (func (export "peek") (param i32) (result i32) (i32.load (local.get 0))))
(assert_trap (invoke "in bounds, then out" (i32.const 65532)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 65532)) (i32.const 0x11111111))
(assert_trap (invoke "store, faulting load, store" (i32.const 16) (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "peek" (i32.const 16)) (i32.const 7))

;; LLVM's own analysis found a load's value unused and deleted the load:
;; demanded bits (the mask of a bitselect of which one lane is extracted,
;; reduced from fuzzing seed 10623), a select on a constant (seed 10793), the
;; condition of a br_if that goes where it would fall through (seed 10977)
;; and algebra.
(module
  (memory 1)
  (func (export "mask lanes unused") (result i32)
    (i16x8.extract_lane_u 2
      (v128.bitselect (v128.const i32x4 1 2 3 4) (v128.const i32x4 5 6 7 8)
        (v128.load32x2_u (i32.const 65532)))))
  (func (export "unselected operand") (result i32)
    (select (i32.const 1) (i32.load offset=4 (i32.const -87)) (i32.const -38)))
  (func (export "condition of a br_if to its own next") (result f32)
    (block $next (br_if $next (i32.load8_u offset=22 (i32.const -81))))
    (f32.const 0))
  (func (export "and with zero") (param i32) (result i32)
    (i32.and (i32.load (local.get 0)) (i32.const 0)))
  (func (export "x minus x") (param i32) (result i64)
    (i64.sub (i64.load (local.get 0)) (i64.load (local.get 0))))
  (func (export "shifted out") (param i32) (result i32)
    (i32.shr_u (i32.load8_u (local.get 0)) (i32.const 8))))
(assert_trap (invoke "mask lanes unused") "out of bounds memory access")
(assert_trap (invoke "unselected operand") "out of bounds memory access")
(assert_trap (invoke "condition of a br_if to its own next") "out of bounds memory access")
(assert_trap (invoke "and with zero" (i32.const 65533)) "out of bounds memory access")
(assert_trap (invoke "x minus x" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "x minus x" (i32.const 8)) (i64.const 0))
(assert_trap (invoke "shifted out" (i32.const 65536)) "out of bounds memory access")
