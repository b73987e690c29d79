;; br_table cases whose edge needs no move and no store jump straight to
;; their target; the others go through a stub. A case that leaves a loop
;; while the loop's locals are dirty in their registers must store them:
;; another edge (the br_if before the loop) reaches the same end with the
;; locals in their slots, so after the end they are read from the slots.
;; Expected values worked out by hand from the loop: acc = 100 + 3 * i.
(module
  (func (export "exit_dirty") (param $n i32) (param $skip i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $acc (i32.const 100))
    (block $out
      (br_if $out (local.get $skip))
      (loop $l
        (local.set $acc (i32.add (local.get $acc) (i32.const 3)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_table $l $out (i32.ge_u (local.get $i) (local.get $n)))))
    (i32.add (local.get $acc) (i32.mul (local.get $i) (i32.const 1000))))
  ;; The same with the exit as br_table's default and a case for the loop
  ;; in the middle: three cases, two of them direct.
  (func (export "exit_dirty_default") (param $n i32) (param $skip i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $acc (i32.const 100))
    (block $out
      (br_if $out (local.get $skip))
      (loop $l
        (local.set $acc (i32.add (local.get $acc) (i32.const 3)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_table $l $l $out
          (i32.add (i32.ge_u (local.get $i) (local.get $n)) (i32.ge_u (local.get $i) (local.get $n))))))
    (i32.add (local.get $acc) (i32.mul (local.get $i) (i32.const 1000))))
)
(assert_return (invoke "exit_dirty" (i32.const 5) (i32.const 0)) (i32.const 5115))
(assert_return (invoke "exit_dirty" (i32.const 7) (i32.const 0)) (i32.const 7121))
(assert_return (invoke "exit_dirty" (i32.const 0) (i32.const 0)) (i32.const 1103))
(assert_return (invoke "exit_dirty" (i32.const 5) (i32.const 1)) (i32.const 100))
(assert_return (invoke "exit_dirty_default" (i32.const 5) (i32.const 0)) (i32.const 5115))
(assert_return (invoke "exit_dirty_default" (i32.const 1) (i32.const 0)) (i32.const 1103))
(assert_return (invoke "exit_dirty_default" (i32.const 5) (i32.const 1)) (i32.const 100))
