;; The baseline tests a local's value for br_if, if and select in the local's
;; own register, without a copy. Nothing may write that register between the
;; pop and the test: not a block result moved into a register on the br_if's
;; edge (the local's register must not be chosen for it), not the moves of a
;; loop's locals into their registers (they come after the test, on the taken
;; path), not a select's copy of an operand that is the same local. Expected
;; values are worked out in the comments.
(module
  ;; c = 0: the br_if falls through, 7; c != 0: v
  (func (export "br_if_with_result") (param $c i32) (param $v i32) (result i32)
    (block $b (result i32)
      (local.get $v)
      (local.get $c)
      (br_if $b)
      (drop)
      (i32.const 7)))
  ;; counts n down to 0 through a loop whose locals trade registers on the
  ;; back edge; the condition is a local the loop keeps: the sum of n..1
  (func (export "loop_br_if") (param $n i32) (result i32)
    (local $sum i32) (local $more i32)
    (local.set $more (local.get $n))
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (local.set $more (local.get $n))
      (br_if $l (local.get $more)))
    (local.get $sum))
  ;; the condition is also the first operand: c ? c : 9
  (func (export "select_same_local") (param $c i32) (result i32)
    (select (local.get $c) (i32.const 9) (local.get $c)))
  ;; an if on a local that the arms write: c ? (c = c + 10) : (c = 3), then c
  (func (export "if_writes_its_local") (param $c i32) (result i32)
    (if (local.get $c)
      (then (local.set $c (i32.add (local.get $c) (i32.const 10))))
      (else (local.set $c (i32.const 3))))
    (local.get $c))
  ;; i64 and a value of the local still below
  (func (export "i64_condition") (param $c i64) (result i64)
    (local.get $c)
    (if (i32.wrap_i64 (local.get $c)) (then (local.set $c (i64.const 100))))
    (i64.add (local.get $c)))                       ;; c + (c low bits != 0 ? 100 : c)
)

(assert_return (invoke "br_if_with_result" (i32.const 0) (i32.const 5)) (i32.const 7))
(assert_return (invoke "br_if_with_result" (i32.const 1) (i32.const 5)) (i32.const 5))
(assert_return (invoke "br_if_with_result" (i32.const 0) (i32.const 0)) (i32.const 7))
(assert_return (invoke "loop_br_if" (i32.const 10)) (i32.const 55))
(assert_return (invoke "loop_br_if" (i32.const 1)) (i32.const 1))
(assert_return (invoke "select_same_local" (i32.const 4)) (i32.const 4))
(assert_return (invoke "select_same_local" (i32.const 0)) (i32.const 9))
(assert_return (invoke "if_writes_its_local" (i32.const 5)) (i32.const 15))
(assert_return (invoke "if_writes_its_local" (i32.const 0)) (i32.const 3))
(assert_return (invoke "i64_condition" (i64.const 0x100000000)) (i64.const 0x200000000))
(assert_return (invoke "i64_condition" (i64.const 0x100000001)) (i64.const 0x100000065))
