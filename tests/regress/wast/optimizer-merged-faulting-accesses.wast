;; The same access in both arms of an if: an optimizer may hoist (or sink)
;; the two into one instruction that belongs to neither operator, with no
;; bytecode offset. A fault there, in the guest's memory reservation, is
;; still the guest's out-of-bounds access, not a fault of Weft's own code
;; ("fault in wasm code at an unknown site"). The specialized guard tier,
;; whose memory base is a constant, merged the two loads here.
(module
  (memory 1)
  (func (export "load_in_both_arms") (param $p i32) (param $c i32) (result i32)
    (if (result i32) (local.get $c)
      (then (i32.load offset=100 (local.get $p)))
      (else (i32.load offset=100 (local.get $p)))))
  (func (export "store_in_both_arms") (param $p i32) (param $c i32)
    (if (local.get $c)
      (then (i64.store offset=8 (local.get $p) (i64.const 1)))
      (else (i64.store offset=8 (local.get $p) (i64.const 1)))))
)

(assert_return (invoke "load_in_both_arms" (i32.const 65432) (i32.const 0)) (i32.const 0))
(assert_trap (invoke "load_in_both_arms" (i32.const 65433) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_in_both_arms" (i32.const 65433) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "store_in_both_arms" (i32.const 65520) (i32.const 1)))
(assert_trap (invoke "store_in_both_arms" (i32.const 65521) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "store_in_both_arms" (i32.const 65521) (i32.const 1)) "out of bounds memory access")
