;; The baseline passes a block's or an if's one result in a register: the
;; first edge to the end chooses it (where the value is, or a free register,
;; or one a clean local gives up), every other edge moves the value there,
;; and a value in one of the enclosing loop's home registers goes through its
;; slot (the home's moves may overwrite it). These functions reach the end of
;; such blocks from every kind of edge (fall-through of then and else, br,
;; br_if, br_table), with the value a constant, a local (sharing the local's
;; register), a computed value, a call's result and a loop local, of every
;; value type, and read locals cached in the chosen register afterwards. The
;; expected values are worked out in the comments.
(module
  (func $twice (param i64) (result i64) (i64.add (local.get 0) (local.get 0)))

  ;; each type, each arm a different kind of value
  (func (export "if_i32") (param $c i32) (param $a i32) (result i32)
    (if (result i32) (local.get $c)
      (then (local.get $a))
      (else (i32.mul (local.get $a) (i32.const 3)))))
  (func (export "if_i64") (param $c i32) (param $a i64) (result i64)
    (if (result i64) (local.get $c)
      (then (i64.const 0x123456789))
      (else (call $twice (local.get $a)))))
  (func (export "if_f32") (param $c i32) (param $a f32) (result f32)
    (if (result f32) (local.get $c)
      (then (f32.add (local.get $a) (f32.const 0.5)))
      (else (f32.const -2.25))))
  (func (export "if_f64") (param $c i32) (param $a f64) (result f64)
    (if (result f64) (local.get $c)
      (then (local.get $a))
      (else (f64.mul (local.get $a) (local.get $a)))))
  (func (export "if_v128") (param $c i32) (param $a i32) (result i32)
    (i32x4.extract_lane 2
      (if (result v128) (local.get $c)
        (then (i32x4.splat (local.get $a)))
        (else (v128.const i32x4 1 2 3 4)))))

  ;; a block reached by br_if with a value, br with a value, and the fall-through
  ;; s = 0: a; s = 1: a + b; s = 2: b - a; else 7
  (func (export "block_edges") (param $s i32) (param $a i32) (param $b i32) (result i32)
    (local $t i32)
    (local.set $t (local.get $b))
    (block $out (result i32)
      (drop (br_if $out (local.get $a) (i32.eqz (local.get $s))))
      (drop (br_if $out (i32.add (local.get $a) (local.get $b)) (i32.eq (local.get $s) (i32.const 1))))
      (if (i32.eq (local.get $s) (i32.const 2))
        (then (br $out (i32.sub (local.get $t) (local.get $a)))))
      (i32.const 7)))

  ;; br_table carrying a value to two blocks; the outer adds 100 on the inner's way
  ;; s = 0: a + 1 + 100; s = 1: a + 1; s >= 2: a + 1 + 100
  (func (export "br_table_value") (param $s i32) (param $a i32) (result i32)
    (block $outer (result i32)
      (i32.add
        (block $inner (result i32)
          (br_table $inner $outer $inner (i32.add (local.get $a) (i32.const 1)) (local.get $s)))
        (i32.const 100))))

  ;; in a loop: one arm's value is the loop local itself (in its home register),
  ;; the other a computed one; the result feeds the loop local.
  ;; acc starts at 1; for i = 0..n-1: acc = (i odd) ? acc : acc + i  (so the even i are added)
  ;; n = 10: 1 + 0 + 2 + 4 + 6 + 8 = 21
  (func (export "loop_local_result") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (local.set $acc (i32.const 1))
    (loop $l
      (local.set $acc
        (if (result i32) (i32.and (local.get $i) (i32.const 1))
          (then (local.get $acc))
          (else (i32.add (local.get $acc) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))

  ;; many locals cached in registers around the merge: the result register
  ;; may be one a clean local gives up; every local must still read right after.
  ;; c != 0: 1+2+3+4+5+6 + (10) = 31; c = 0: 21 + 20 = 41
  (func (export "crowded") (param $c i32) (result i32)
    (local $a i32) (local $b i32) (local $d i32) (local $e i32) (local $f i32) (local $g i32)
    (local.set $a (i32.const 1)) (local.set $b (i32.const 2)) (local.set $d (i32.const 3))
    (local.set $e (i32.const 4)) (local.set $f (i32.const 5)) (local.set $g (i32.const 6))
    (i32.add
      (block $r (result i32)
        (drop (br_if $r (i32.const 10) (local.get $c)))
        (i32.mul (i32.add (local.get $a) (local.get $g)) (i32.const 0))
        (i32.add (i32.const 20)))
      (i32.add (i32.add (i32.add (local.get $a) (local.get $b)) (i32.add (local.get $d) (local.get $e)))
               (i32.add (local.get $f) (local.get $g)))))

  ;; register pressure inside a loop: the then arm's tree of eight locals
  ;; needs more registers than the loop's home leaves, so home locals are
  ;; evicted and their registers reused; its value may end in one, which the
  ;; edge's moves of the home reload over unless it goes to its slot first.
  ;; The loop runs i = 0..3; the arm taken when i is even adds a..h (36) to s,
  ;; odd i adds i: s = 36 + 1 + 36 + 3 = 76; the locals a..h stay 1..8.
  (func (export "pressure_in_loop") (result i32)
    (local $i i32) (local $s i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local $e i32) (local $f i32) (local $g i32) (local $h i32)
    (local.set $a (i32.const 1)) (local.set $b (i32.const 2)) (local.set $c (i32.const 3)) (local.set $d (i32.const 4))
    (local.set $e (i32.const 5)) (local.set $f (i32.const 6)) (local.set $g (i32.const 7)) (local.set $h (i32.const 8))
    (loop $l
      (local.set $s (i32.add (local.get $s)
        (if (result i32) (i32.and (local.get $i) (i32.const 1))
          (then (local.get $i))
          (else
            (i32.add (i32.add (i32.add (local.get $a) (local.get $b)) (i32.add (local.get $c) (local.get $d)))
                     (i32.add (i32.add (local.get $e) (local.get $f)) (i32.add (local.get $g) (local.get $h))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
    (i32.add (i32.mul (local.get $s) (i32.const 1000))
      (i32.add (i32.add (i32.add (local.get $a) (local.get $b)) (i32.add (local.get $c) (local.get $d)))
               (i32.add (i32.add (local.get $e) (local.get $f)) (i32.add (local.get $g) (local.get $h))))))

  ;; the then arm's value shares the local's register, which becomes the
  ;; result register; the else arm puts 5 there: the local must not be
  ;; taken to be cached there after the if. p = 1, x = 2: c = 1: 2 + 200; c = 0: 5 + 200
  (func (export "if_shares_local") (param $c i32) (param $p i32) (result i32)
    (local $x i32)
    (local.set $x (i32.add (local.get $p) (i32.const 1)))
    (i32.add
      (if (result i32) (local.get $c) (then (local.get $x)) (else (i32.const 5)))
      (i32.mul (local.get $x) (i32.const 100))))

  ;; nested: the inner if's result is the outer block's br value
  ;; c1 = 1: (c2 ? 5 : 6) + 1 via the br; c1 = 0: 9
  (func (export "nested") (param $c1 i32) (param $c2 i32) (result i32)
    (block $b (result i32)
      (if (local.get $c1)
        (then (br $b (i32.add (if (result i32) (local.get $c2) (then (i32.const 5)) (else (i32.const 6)))
                              (i32.const 1)))))
      (i32.const 9)))
)
(assert_return (invoke "if_i32" (i32.const 1) (i32.const 7)) (i32.const 7))
(assert_return (invoke "if_i32" (i32.const 0) (i32.const 7)) (i32.const 21))
(assert_return (invoke "if_i64" (i32.const 1) (i64.const 5)) (i64.const 0x123456789))
(assert_return (invoke "if_i64" (i32.const 0) (i64.const 5)) (i64.const 10))
(assert_return (invoke "if_f32" (i32.const 1) (f32.const 1.25)) (f32.const 1.75))
(assert_return (invoke "if_f32" (i32.const 0) (f32.const 1.25)) (f32.const -2.25))
(assert_return (invoke "if_f64" (i32.const 1) (f64.const 3.5)) (f64.const 3.5))
(assert_return (invoke "if_f64" (i32.const 0) (f64.const 3.5)) (f64.const 12.25))
(assert_return (invoke "if_v128" (i32.const 1) (i32.const 42)) (i32.const 42))
(assert_return (invoke "if_v128" (i32.const 0) (i32.const 42)) (i32.const 3))
(assert_return (invoke "block_edges" (i32.const 0) (i32.const 10) (i32.const 3)) (i32.const 10))
(assert_return (invoke "block_edges" (i32.const 1) (i32.const 10) (i32.const 3)) (i32.const 13))
(assert_return (invoke "block_edges" (i32.const 2) (i32.const 10) (i32.const 3)) (i32.const -7))
(assert_return (invoke "block_edges" (i32.const 3) (i32.const 10) (i32.const 3)) (i32.const 7))
(assert_return (invoke "br_table_value" (i32.const 0) (i32.const 5)) (i32.const 106))
(assert_return (invoke "br_table_value" (i32.const 1) (i32.const 5)) (i32.const 6))
(assert_return (invoke "br_table_value" (i32.const 9) (i32.const 5)) (i32.const 106))
(assert_return (invoke "loop_local_result" (i32.const 10)) (i32.const 21))
(assert_return (invoke "loop_local_result" (i32.const 1)) (i32.const 1))
(assert_return (invoke "crowded" (i32.const 1)) (i32.const 31))
(assert_return (invoke "crowded" (i32.const 0)) (i32.const 41))
(assert_return (invoke "pressure_in_loop") (i32.const 76036))
(assert_return (invoke "if_shares_local" (i32.const 1) (i32.const 1)) (i32.const 202))
(assert_return (invoke "if_shares_local" (i32.const 0) (i32.const 1)) (i32.const 205))
(assert_return (invoke "nested" (i32.const 1) (i32.const 1)) (i32.const 6))
(assert_return (invoke "nested" (i32.const 1) (i32.const 0)) (i32.const 7))
(assert_return (invoke "nested" (i32.const 0) (i32.const 1)) (i32.const 9))
