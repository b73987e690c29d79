;; A branch back to a loop leaves the loop's locals dirty in their registers
;; (the loop head counts them dirty; their slots are stale while the loop
;; runs). Every way out must still see the right values: a br_if or br out to
;; a block, a br_table choosing between the loop and the exit, falling out of
;; the loop, nested loops, a call in the loop (which evicts what it clobbers),
;; more live locals than registers (evictions in the body), and a merge after
;; the loop where one path reloads from the slots. The expected values are
;; worked out by hand; the optimizing tier runs this file too.
(module
  (func $id (param i32) (result i32) (local.get 0))

  ;; sum of 1..n, then the counter; out through br_if to the block.
  (func (export "sum_to") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $out
      (loop $next
        (br_if $out (i32.gt_s (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.add (i32.mul (local.get $sum) (i32.const 1000)) (local.get $i)))

  ;; br_table: index 0 continues the loop, 1 leaves it.
  (func (export "br_table_exit") (param $n i32) (result i32)
    (local $x i32) (local $steps i32)
    (local.set $x (i32.const 1))
    (block $out
      (loop $again
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1)))
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (br_table $again $out (i32.ge_s (local.get $steps) (local.get $n)))))
    (i32.add (i32.mul (local.get $x) (i32.const 100)) (local.get $steps)))

  ;; the loop falls out after its last br_if back; the locals are read after.
  (func (export "fall_out") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (loop $fib
      (local.set $t (i64.add (local.get $a) (local.get $b)))
      (local.set $a (local.get $b))
      (local.set $b (local.get $t))
      (br_if $fib (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i64.add (i64.mul (local.get $a) (i64.const 1000000)) (local.get $b)))

  ;; nested loops, each changing its own locals and the outer one's.
  (func (export "nested") (param $rows i32) (param $cols i32) (result i32)
    (local $r i32) (local $c i32) (local $acc i32)
    (loop $outer
      (local.set $c (i32.const 0))
      (loop $inner
        (local.set $acc (i32.add (local.get $acc) (i32.add (i32.mul (local.get $r) (i32.const 10)) (local.get $c))))
        (br_if $inner (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $cols))))
      (br_if $outer (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))
    (i32.add (i32.mul (local.get $acc) (i32.const 100)) (i32.add (i32.mul (local.get $r) (i32.const 10)) (local.get $c))))

  ;; six locals change in a loop that calls: the call evicts those in
  ;; registers it clobbers, the others stay dirty across the back edge.
  (func (export "call_in_loop") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)
    (loop $again
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $b (i32.add (local.get $b) (i32.const 2)))
      (local.set $c (i32.add (local.get $c) (call $id (i32.const 3))))
      (local.set $d (i32.add (local.get $d) (i32.const 4)))
      (local.set $e (i32.add (local.get $e) (local.get $a)))
      (local.set $f (i32.add (local.get $f) (local.get $b)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.add (local.get $a)
      (i32.add (i32.mul (local.get $b) (i32.const 10))
        (i32.add (i32.mul (local.get $c) (i32.const 100))
          (i32.add (i32.mul (local.get $d) (i32.const 1000))
            (i32.add (i32.mul (local.get $e) (i32.const 10000)) (i32.mul (local.get $f) (i32.const 100000))))))))

  ;; twelve locals live in the loop: more than the registers, so the body
  ;; evicts some (a dirty one is stored as it goes).
  (func (export "pressure_loop") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)
    (local $g i32) (local $h i32) (local $i i32) (local $j i32) (local $k i32) (local $l i32)
    (loop $again
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $b (i32.add (local.get $b) (local.get $a)))
      (local.set $c (i32.add (local.get $c) (local.get $b)))
      (local.set $d (i32.add (local.get $d) (local.get $c)))
      (local.set $e (i32.xor (local.get $e) (local.get $d)))
      (local.set $f (i32.add (local.get $f) (local.get $e)))
      (local.set $g (i32.sub (local.get $g) (local.get $f)))
      (local.set $h (i32.add (local.get $h) (local.get $g)))
      (local.set $i (i32.xor (local.get $i) (local.get $h)))
      (local.set $j (i32.add (local.get $j) (local.get $i)))
      (local.set $k (i32.sub (local.get $k) (local.get $j)))
      (local.set $l (i32.add (local.get $l) (local.get $k)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.xor (i32.xor (i32.xor (local.get $a) (local.get $b)) (i32.xor (local.get $c) (local.get $d)))
      (i32.xor (i32.xor (i32.xor (local.get $e) (local.get $f)) (i32.xor (local.get $g) (local.get $h)))
        (i32.xor (i32.xor (local.get $i) (local.get $j)) (i32.xor (local.get $k) (local.get $l))))))

  ;; after the loop, one path calls (evicting x), the other does not; the
  ;; merge reloads x from its slot, which must hold the loop's last value.
  (func (export "merge_after_loop") (param $n i32) (param $call i32) (result i32)
    (local $x i32)
    (loop $again
      (local.set $x (i32.add (local.get $x) (i32.const 7)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (if (local.get $call)
      (then (drop (call $id (i32.const 0)))))
    (local.get $x))
)

(assert_return (invoke "sum_to" (i32.const 10)) (i32.const 55011))
(assert_return (invoke "sum_to" (i32.const 0)) (i32.const 1))
(assert_return (invoke "br_table_exit" (i32.const 4)) (i32.const 12104))
(assert_return (invoke "br_table_exit" (i32.const 1)) (i32.const 401))
(assert_return (invoke "fall_out" (i32.const 10)) (i64.const 55000089))
(assert_return (invoke "nested" (i32.const 3) (i32.const 4)) (i32.const 13834))
(assert_return (invoke "call_in_loop" (i32.const 5)) (i32.const 3171605))
(assert_return (invoke "pressure_loop" (i32.const 9)) (i32.const 7603))
(assert_return (invoke "merge_after_loop" (i32.const 6) (i32.const 1)) (i32.const 42))
(assert_return (invoke "merge_after_loop" (i32.const 6) (i32.const 0)) (i32.const 42))
