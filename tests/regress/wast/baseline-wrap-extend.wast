;; i64.extend_i32_u emits nothing for an i32 in a register or a constant
;; (i32 registers are zero-extended: the convention passes i32 arguments so,
;; and every i32 operation writes 32 bits), but loads 32 bits of one in a
;; slot, whose upper half may hold an older i64's bits. i32.wrap_i64 of a
;; value that shares a local's register truncates into a register of its
;; own: the local keeps all 64 bits.
(module
  (func (export "extend_param") (param $x i32) (result i64)
    (i64.shr_u (i64.extend_i32_u (local.get $x)) (i64.const 16)))
  (func (export "extend_const") (result i64)
    (i64.extend_i32_u (i32.const -2)))
  ;; the slot at depth 0 first holds an i64 of all ones, then an i32 block result
  (func (export "extend_slot") (result i64)
    (drop (block (result i64) (i64.const -1)))
    (i64.extend_i32_u (block (result i32) (i32.const 5))))
  (func (export "wrap_shared") (param $x i64) (result i64)
    (i64.add (local.get $x) (i64.extend_i32_u (i32.wrap_i64 (local.get $x)))))
  (func (export "wrap_const") (result i32)
    (i32.wrap_i64 (i64.const 0x123456789)))
  (func (export "wrap_then_address") (param $x i64) (result i32)
    (i32.load8_u (i32.wrap_i64 (local.get $x))))
  (memory 1)
  (data (i32.const 7) "\2a")
)
(assert_return (invoke "extend_param" (i32.const -1)) (i64.const 0xffff))
(assert_return (invoke "extend_param" (i32.const 0x12345678)) (i64.const 0x1234))
(assert_return (invoke "extend_const") (i64.const 0xfffffffe))
(assert_return (invoke "extend_slot") (i64.const 5))
(assert_return (invoke "wrap_shared" (i64.const 0x100000005)) (i64.const 0x10000000a))
(assert_return (invoke "wrap_shared" (i64.const -1)) (i64.const 0xfffffffe))
(assert_return (invoke "wrap_const") (i32.const 0x23456789))
(assert_return (invoke "wrap_then_address" (i64.const 0xffffffff00000007)) (i32.const 42))
