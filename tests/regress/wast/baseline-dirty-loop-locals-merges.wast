;; Inside a loop, the loop's locals stay dirty in their registers on every
;; edge to a label inside the loop (the end of an if, an else, a block), not
;; only on the back edge: each such edge brings them in their loop registers,
;; moving or reloading one that the body evicted or moved, so that every
;; merge sees each one in one place. These functions reach such merges every
;; way the compiler can: both arms of an if changing different locals; an if
;; without else whose false edge finds a loop local moved elsewhere (its
;; value was still shared when it was set); a branch to a block's end after
;; register pressure evicted loop locals; a br_table choosing between two
;; blocks and the loop; an inner loop breaking to a label of the outer one;
;; a call in one arm. The expected values come from the same loops written
;; out in Python; the optimizing tier runs this file too.
(module
  (func $id (param i32) (result i32) (local.get 0))

  ;; both arms change a different local; an if without else changes a third.
  (func (export "if_else_arms") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32) (local $c i32)
    (local.set $a (local.get $n)) (local.set $b (i32.const 5)) (local.set $c (i32.const 1))
    (loop $l
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $a (i32.add (local.get $a) (local.get $i))))
        (else (local.set $b (i32.sub (local.get $b) (local.get $i)))))
      (if (i32.gt_u (local.get $i) (i32.const 7))
        (then (local.set $c (i32.xor (local.get $c) (local.get $a)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $a) (i32.const 1000))
      (i32.add (i32.mul (local.get $b) (i32.const 100)) (local.get $c))))

  ;; $a's old value is on the stack while $a is set: $a moves to another
  ;; register, and the if after it has no else, so its false edge moves $a
  ;; back to its loop register.
  (func (export "moved_at_if") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32)
    (local.set $a (i32.const 3)) (local.set $b (i32.const 0))
    (loop $l
      (local.get $a)
      (local.set $a (i32.add (i32.mul (local.get $a) (i32.const 3)) (local.get $i)))
      (if (i32.and (local.get $a) (i32.const 2))
        (then (local.set $b (i32.add (local.get $b) (i32.const 1)))))
      (local.set $b (i32.add (local.get $b)))
      (local.set $a (i32.and (local.get $a) (i32.const 0xffff)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $a) (i32.const 100000)) (i32.and (local.get $b) (i32.const 0xffff))))

  ;; many live values evict loop locals before a br_if to a block's end in
  ;; the loop; the edge reloads the evicted (clean) ones into their registers.
  (func (export "evicted_then_branch") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32) (local $c i32)
    (local.set $a (i32.const 1)) (local.set $b (i32.const 2)) (local.set $c (i32.const 3))
    (loop $l
      (block $skip
        (local.set $a (i32.add (local.get $a) (local.get $i)))
        (br_if $skip
          (i32.eqz (i32.and
            (i32.add (i32.add (i32.add (local.get $i) (i32.const 1)) (i32.add (local.get $i) (i32.const 2)))
              (i32.add (i32.add (i32.add (local.get $i) (i32.const 3)) (i32.add (local.get $i) (i32.const 4)))
                (i32.add (i32.add (i32.add (local.get $i) (i32.const 5)) (i32.add (local.get $i) (i32.const 6)))
                  (i32.add (i32.add (local.get $i) (i32.const 7)) (i32.add (local.get $i) (i32.const 8))))))
            (i32.const 4))))
        (local.set $b (i32.add (local.get $b) (local.get $a)))
        (local.set $c (i32.xor (local.get $c) (local.get $b))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.xor (i32.mul (local.get $a) (i32.const 7)) (i32.xor (i32.mul (local.get $b) (i32.const 13)) (local.get $c))))

  ;; br_table in the loop: 0 to one block, 1 to the other, 2 back to the loop.
  (func (export "br_table_in_loop") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32)
    (local.set $a (i32.const 10)) (local.set $b (i32.const 20))
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (block $two
        (block $one
          (block $zero
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br_if $l (i32.gt_u (i32.rem_u (local.get $i) (i32.const 3)) (i32.const 1)))
            (br_table $zero $one $l (i32.rem_u (local.get $i) (i32.const 3))))
          (local.set $b (i32.add (local.get $b) (local.get $a)))
          (br $two))
        (local.set $b (i32.sub (local.get $b) (i32.const 3))))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $a) (i32.const 10000)) (local.get $b)))

  ;; the inner loop leaves to a block in the outer loop with its own
  ;; locals dirty; the outer one's must be in their registers there.
  (func (export "inner_breaks_to_outer") (param $n i32) (result i32)
    (local $r i32) (local $c i32) (local $acc i32) (local $hits i32)
    (local.set $acc (i32.const 1))
    (loop $outer
      (block $found
        (local.set $c (i32.const 0))
        (loop $inner
          (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 5)) (local.get $c)))
          (br_if $found (i32.eq (i32.and (local.get $acc) (i32.const 15)) (i32.const 7)))
          (br_if $inner (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (i32.const 6))))
        (local.set $hits (i32.sub (local.get $hits) (i32.const 1))))
      (local.set $hits (i32.add (local.get $hits) (i32.add (local.get $c) (i32.const 1))))
      (local.set $acc (i32.and (local.get $acc) (i32.const 0xfffff)))
      (br_if $outer (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $n))))
    (i32.add (i32.mul (local.get $hits) (i32.const 1000000)) (local.get $acc)))

  ;; one arm calls (clobbering what calls clobber), the other changes the
  ;; loop's locals; an i64 and an f64 local take part.
  (func (export "call_in_arm") (param $n i32) (result f64)
    (local $i i32) (local $s i64) (local $x f64)
    (local.set $x (f64.const 0.5)) (local.set $s (i64.const 1))
    (loop $l
      (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 3)))
        (then (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (call $id (local.get $i))))))
        (else
          (local.set $x (f64.add (local.get $x) (f64.convert_i32_u (local.get $i))))
          (local.set $s (i64.mul (local.get $s) (i64.const 3)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (f64.add (local.get $x) (f64.convert_i64_u (local.get $s))))

  ;; a loop local brought dirty by one edge and clean by the other (that arm
  ;; evicted it, storing it, and its edge reloaded it): the merge must count
  ;; it dirty, for the pressure after the merge evicts it again, and only a
  ;; dirty local is stored then. Each if has the dirty edge on another arm.
  (func (export "dirty_on_one_edge") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32)
    (local.set $a (i32.const 1)) (local.set $b (i32.const 2))
    (loop $l
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $a (i32.add (local.get $a) (local.get $i))))
        (else (local.set $b (i32.add (local.get $b) (i32.add (i32.add (local.get $i) (i32.const 1)) (i32.add (i32.add (local.get $i) (i32.const 2)) (i32.add (i32.add (local.get $i) (i32.const 3)) (i32.add (i32.add (local.get $i) (i32.const 4)) (i32.add (i32.add (local.get $i) (i32.const 5)) (i32.add (i32.add (local.get $i) (i32.const 6)) (i32.add (i32.add (local.get $i) (i32.const 7)) (i32.add (i32.add (local.get $i) (i32.const 8)) (i32.add (i32.add (local.get $i) (i32.const 9)) (i32.add (local.get $i) (i32.const 10)))))))))))))))
      (local.set $b (i32.xor (local.get $b) (i32.add (i32.mul (local.get $i) (i32.const 20)) (i32.add (i32.mul (local.get $i) (i32.const 21)) (i32.add (i32.mul (local.get $i) (i32.const 22)) (i32.add (i32.mul (local.get $i) (i32.const 23)) (i32.add (i32.mul (local.get $i) (i32.const 24)) (i32.add (i32.mul (local.get $i) (i32.const 25)) (i32.add (i32.mul (local.get $i) (i32.const 26)) (i32.add (i32.mul (local.get $i) (i32.const 27)) (i32.add (i32.mul (local.get $i) (i32.const 28)) (i32.mul (local.get $i) (i32.const 29)))))))))))))
      (if (i32.and (local.get $i) (i32.const 2))
        (then (local.set $b (i32.sub (local.get $b) (i32.add (i32.add (local.get $i) (i32.const 40)) (i32.add (i32.add (local.get $i) (i32.const 41)) (i32.add (i32.add (local.get $i) (i32.const 42)) (i32.add (i32.add (local.get $i) (i32.const 43)) (i32.add (i32.add (local.get $i) (i32.const 44)) (i32.add (i32.add (local.get $i) (i32.const 45)) (i32.add (i32.add (local.get $i) (i32.const 46)) (i32.add (i32.add (local.get $i) (i32.const 47)) (i32.add (i32.add (local.get $i) (i32.const 48)) (i32.add (local.get $i) (i32.const 49))))))))))))))
        (else (local.set $a (i32.add (local.get $a) (i32.const 1000)))))
      ;; no else: the false edge brings $a dirty, the then arm clean
      (local.set $a (i32.add (local.get $a) (i32.const 7)))
      (if (i32.and (local.get $i) (i32.const 4))
        (then (local.set $b (i32.add (local.get $b) (i32.add (i32.add (local.get $i) (i32.const 80)) (i32.add (i32.add (local.get $i) (i32.const 81)) (i32.add (i32.add (local.get $i) (i32.const 82)) (i32.add (i32.add (local.get $i) (i32.const 83)) (i32.add (i32.add (local.get $i) (i32.const 84)) (i32.add (i32.add (local.get $i) (i32.const 85)) (i32.add (i32.add (local.get $i) (i32.const 86)) (i32.add (i32.add (local.get $i) (i32.const 87)) (i32.add (i32.add (local.get $i) (i32.const 88)) (i32.add (local.get $i) (i32.const 89)))))))))))))))
      (local.set $b (i32.xor (local.get $b) (i32.add (i32.mul (local.get $i) (i32.const 60)) (i32.add (i32.mul (local.get $i) (i32.const 61)) (i32.add (i32.mul (local.get $i) (i32.const 62)) (i32.add (i32.mul (local.get $i) (i32.const 63)) (i32.add (i32.mul (local.get $i) (i32.const 64)) (i32.add (i32.mul (local.get $i) (i32.const 65)) (i32.add (i32.mul (local.get $i) (i32.const 66)) (i32.add (i32.mul (local.get $i) (i32.const 67)) (i32.add (i32.mul (local.get $i) (i32.const 68)) (i32.mul (local.get $i) (i32.const 69)))))))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $a) (i32.const 65536)) (i32.and (local.get $b) (i32.const 0xffff))))

  ;; the same with pressure before the if without else: it leaves $b in
  ;; another register, so the if gets an empty else whose fall-through is
  ;; the dirty edge.
  (func (export "dirty_on_else_stub") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32)
    (local.set $a (i32.const 1)) (local.set $b (i32.const 2))
    (loop $l
      (local.set $b (i32.xor (local.get $b) (i32.add (i32.mul (local.get $i) (i32.const 60)) (i32.add (i32.mul (local.get $i) (i32.const 61)) (i32.add (i32.mul (local.get $i) (i32.const 62)) (i32.add (i32.mul (local.get $i) (i32.const 63)) (i32.add (i32.mul (local.get $i) (i32.const 64)) (i32.add (i32.mul (local.get $i) (i32.const 65)) (i32.add (i32.mul (local.get $i) (i32.const 66)) (i32.add (i32.mul (local.get $i) (i32.const 67)) (i32.add (i32.mul (local.get $i) (i32.const 68)) (i32.mul (local.get $i) (i32.const 69)))))))))))))
      (local.set $a (i32.add (local.get $a) (i32.const 7)))
      (if (i32.and (local.get $i) (i32.const 4))
        (then (local.set $b (i32.add (local.get $b) (i32.add (i32.add (local.get $i) (i32.const 80)) (i32.add (i32.add (local.get $i) (i32.const 81)) (i32.add (i32.add (local.get $i) (i32.const 82)) (i32.add (i32.add (local.get $i) (i32.const 83)) (i32.add (i32.add (local.get $i) (i32.const 84)) (i32.add (i32.add (local.get $i) (i32.const 85)) (i32.add (i32.add (local.get $i) (i32.const 86)) (i32.add (i32.add (local.get $i) (i32.const 87)) (i32.add (i32.add (local.get $i) (i32.const 88)) (i32.add (local.get $i) (i32.const 89)))))))))))))))
      (local.set $b (i32.xor (local.get $b) (i32.add (i32.mul (local.get $i) (i32.const 100)) (i32.add (i32.mul (local.get $i) (i32.const 101)) (i32.add (i32.mul (local.get $i) (i32.const 102)) (i32.add (i32.mul (local.get $i) (i32.const 103)) (i32.add (i32.mul (local.get $i) (i32.const 104)) (i32.add (i32.mul (local.get $i) (i32.const 105)) (i32.add (i32.mul (local.get $i) (i32.const 106)) (i32.add (i32.mul (local.get $i) (i32.const 107)) (i32.add (i32.mul (local.get $i) (i32.const 108)) (i32.mul (local.get $i) (i32.const 109)))))))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $a) (i32.const 65536)) (i32.and (local.get $b) (i32.const 0xffff))))

  ;; br_table stubs each start from the dispatch's state. Here the first
  ;; stub (the default, to a block in the loop) moves $a back to its loop
  ;; register; the next (back to the loop) must move it again, as its path
  ;; never ran the first stub's moves.
  (func (export "br_table_stub_moves") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32)
    (local.set $a (i32.const 3)) (local.set $b (i32.const 0))
    (block $done
      (loop $l
        (block $one
          (local.get $a)
          (local.set $a (i32.and (i32.add (i32.mul (local.get $a) (i32.const 3)) (local.get $i)) (i32.const 0xffff)))
          (local.set $b (i32.add (local.get $b)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (br_table $l $one (i32.and (local.get $i) (i32.const 1))))
        (local.set $b (i32.xor (local.get $b) (local.get $a)))
        (br $l)))
    (i32.add (i32.mul (local.get $a) (i32.const 100000)) (i32.and (local.get $b) (i32.const 0xffff))))

  ;; Here the first stub leaves the loop (storing its dirty locals); the
  ;; next, to a block in the loop, must still count them dirty: the pressure
  ;; after that block evicts $a, which only a dirty local survives.
  (func (export "br_table_stub_stores") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32)
    (local.set $a (i32.const 1)) (local.set $b (i32.const 2))
    (block $done
      (loop $l
        (block $one
          (local.set $a (i32.add (local.get $a) (i32.const 5)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_table $one $done (i32.ge_u (local.get $i) (local.get $n))))
        (local.set $b (i32.xor (local.get $b) (i32.add (i32.mul (local.get $i) (i32.const 10)) (i32.add (i32.mul (local.get $i) (i32.const 11)) (i32.add (i32.mul (local.get $i) (i32.const 12)) (i32.add (i32.mul (local.get $i) (i32.const 13)) (i32.add (i32.mul (local.get $i) (i32.const 14)) (i32.add (i32.mul (local.get $i) (i32.const 15)) (i32.add (i32.mul (local.get $i) (i32.const 16)) (i32.add (i32.mul (local.get $i) (i32.const 17)) (i32.add (i32.mul (local.get $i) (i32.const 18)) (i32.mul (local.get $i) (i32.const 19)))))))))))))
        (local.set $a (i32.add (local.get $a) (i32.and (local.get $b) (i32.const 7))))
        (br $l)))
    (i32.add (i32.mul (local.get $a) (i32.const 65536)) (i32.and (local.get $b) (i32.const 0xffff))))
)

(assert_return (invoke "if_else_arms" (i32.const 20)) (i32.const 111593))
(assert_return (invoke "if_else_arms" (i32.const 1)) (i32.const 1501))
(assert_return (invoke "if_else_arms" (i32.const 9)) (i32.const 23524))
(assert_return (invoke "moved_at_if" (i32.const 10)) (i32.const 1788263100))
(assert_return (invoke "moved_at_if" (i32.const 1)) (i32.const 900003))
(assert_return (invoke "evicted_then_branch" (i32.const 12)) (i32.const 3885))
(assert_return (invoke "evicted_then_branch" (i32.const 1)) (i32.const 32))
(assert_return (invoke "br_table_in_loop" (i32.const 10)) (i32.const 200056))
(assert_return (invoke "br_table_in_loop" (i32.const 2)) (i32.const 130030))
(assert_return (invoke "br_table_in_loop" (i32.const 3)) (i32.const 130030))
(assert_return (invoke "inner_breaks_to_outer" (i32.const 7)) (i32.const 40538889))
(assert_return (invoke "inner_breaks_to_outer" (i32.const 1)) (i32.const 4000663))
(assert_return (invoke "call_in_arm" (i32.const 10)) (f64.const 1062.5))
(assert_return (invoke "call_in_arm" (i32.const 40)) (f64.const 3614215475157.5))
(assert_return (invoke "dirty_on_one_edge" (i32.const 9)) (i32.const 332923081))
(assert_return (invoke "dirty_on_one_edge" (i32.const 1)) (i32.const 66060345))
(assert_return (invoke "dirty_on_else_stub" (i32.const 9)) (i32.const 4208234))
(assert_return (invoke "dirty_on_else_stub" (i32.const 1)) (i32.const 524290))
(assert_return (invoke "br_table_stub_moves" (i32.const 9)) (i32.const 2101566463))
(assert_return (invoke "br_table_stub_moves" (i32.const 1)) (i32.const 900003))
(assert_return (invoke "br_table_stub_moves" (i32.const 2)) (i32.const 2800019))
(assert_return (invoke "br_table_stub_stores" (i32.const 9)) (i32.const 4588682))
(assert_return (invoke "br_table_stub_stores" (i32.const 1)) (i32.const 393218))
(assert_return (invoke "br_table_stub_stores" (i32.const 2)) (i32.const 917651))
