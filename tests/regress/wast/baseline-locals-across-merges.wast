;; The baseline keeps a local cached across the end of a block that several
;; edges reach when every edge has it cached in the same register (the
;; others reload it from its slot), and keeps a loop's locals in callee-saved
;; registers so that calls in the loop do not evict them. Each function gives
;; its edges different cache states: a local set on one path only, evicted by a
;; call on one path, br_table targets reached from different states, a loop
;; with merges and calls and more live locals than callee-saved registers, and
;; float locals. Expected values: the earlier baseline (no cache) and the
;; optimizing tier agree on each.
(module
  (func $id (param i32) (result i32) (local.get 0))
  ;; then sets x from a fresh register, else leaves it where it was cached
  (func (export "if_else_sets") (param $n i32) (param $c i32) (result i32)
    (local $x i32) (local $y i32)
    (local.set $x (i32.mul (local.get $n) (i32.const 3)))
    (local.set $y (i32.add (local.get $n) (i32.const 1)))
    (if (local.get $c)
      (then (local.set $x (i32.add (i32.mul (local.get $y) (local.get $y)) (local.get $x))))
      (else (local.set $y (i32.sub (local.get $x) (i32.const 7)))))
    (i32.add (i32.mul (local.get $x) (i32.const 1000)) (local.get $y)))
  ;; one edge evicts x (a call), the other keeps it cached
  (func (export "call_on_one_edge") (param $n i32) (param $c i32) (result i32)
    (local $x i32) (local $y i64)
    (local.set $x (i32.add (local.get $n) (i32.const 11)))
    (local.set $y (i64.extend_i32_u (local.get $x)))
    (block $b
      (br_if $b (local.get $c))
      (local.set $x (call $id (i32.mul (local.get $x) (i32.const 5))))
      (local.set $y (i64.add (local.get $y) (i64.const 100))))
    (i32.add (local.get $x) (i32.wrap_i64 (local.get $y))))
  ;; br_table: every target end is reached with different cache states
  (func (export "table_edges") (param $n i32) (param $k i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32)
    (local.set $a (local.get $n))
    (local.set $b (i32.mul (local.get $n) (i32.const 2)))
    (block $out
      (block $two
        (block $one
          (block $zero
            (local.set $c (i32.add (local.get $a) (local.get $b)))
            (br_table $zero $one $two $out (local.get $k)))
          (local.set $a (i32.add (local.get $a) (i32.const 100)))
          (br $out))
        (local.set $b (call $id (i32.add (local.get $b) (i32.const 200)))))
      (local.set $c (i32.sub (local.get $c) (local.get $a))))
    (i32.add (i32.add (i32.mul (local.get $a) (i32.const 1000000)) (i32.mul (local.get $b) (i32.const 1000))) (local.get $c)))
  ;; a loop whose body merges and calls, with more live locals than callee-saved registers
  (func (export "loop_merges_calls") (param $n i32) (result i32)
    (local $i i32) (local $s i32) (local $t i32) (local $u i32) (local $v i32) (local $w i32)
    (local.set $t (i32.const 1))
    (local.set $u (i32.const 2))
    (local.set $v (i32.const 3))
    (local.set $w (i32.const 4))
    (loop $l
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $s (i32.add (local.get $s) (call $id (local.get $i)))))
        (else (local.set $t (i32.add (local.get $t) (local.get $u)))))
      (block $skip
        (br_if $skip (i32.eqz (i32.rem_u (local.get $i) (i32.const 3))))
        (local.set $u (i32.xor (local.get $u) (local.get $s)))
        (local.set $v (call $id (i32.add (local.get $v) (local.get $w)))))
      (local.set $w (i32.add (local.get $w) (local.get $t)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.add (i32.add (local.get $s) (i32.mul (local.get $t) (i32.const 3)))
             (i32.add (i32.mul (local.get $u) (i32.const 5)) (i32.add (i32.mul (local.get $v) (i32.const 7)) (local.get $w)))))
  ;; an if without else: the false edge leaves from the if, before the then
  ;; branch caches x (set in a fresh register) and re-caches y elsewhere
  (func (export "if_without_else") (param $n i32) (param $c i32) (result i32)
    (local $x i32) (local $y i32)
    (local.set $y (i32.add (local.get $n) (i32.const 9)))
    (if (local.get $c)
      (then
        (local.set $x (i32.mul (local.get $n) (i32.const 7)))
        (local.set $y (call $id (i32.add (local.get $y) (local.get $x))))))
    (i32.add (i32.mul (local.get $x) (i32.const 1000)) (local.get $y)))
  ;; float and i64 locals across merges (xmm registers are all caller-saved)
  (func (export "float_merges") (param $n i32) (result f64)
    (local $f f64) (local $g f64) (local $k i64)
    (local.set $f (f64.convert_i32_s (local.get $n)))
    (local.set $k (i64.const 5))
    (loop $l
      (if (i32.gt_s (local.get $n) (i32.const 10))
        (then (local.set $g (f64.add (local.get $g) (local.get $f))))
        (else (local.set $f (f64.mul (local.get $f) (f64.const 1.5)))))
      (local.set $k (i64.add (local.get $k) (i64.extend_i32_s (local.get $n))))
      (br_if $l (i32.gt_s (local.tee $n (i32.sub (local.get $n) (i32.const 1))) (i32.const 0))))
    (f64.add (f64.add (local.get $f) (local.get $g)) (f64.convert_i64_s (local.get $k))))
)
(assert_return (invoke "if_else_sets" (i32.const 5) (i32.const 0)) (i32.const 15008))
(assert_return (invoke "if_else_sets" (i32.const 5) (i32.const 1)) (i32.const 51006))
(assert_return (invoke "if_else_sets" (i32.const -3) (i32.const 1)) (i32.const -5002))
(assert_return (invoke "call_on_one_edge" (i32.const 4) (i32.const 0)) (i32.const 190))
(assert_return (invoke "call_on_one_edge" (i32.const 4) (i32.const 1)) (i32.const 30))
(assert_return (invoke "table_edges" (i32.const 7) (i32.const 0)) (i32.const 107014021))
(assert_return (invoke "table_edges" (i32.const 7) (i32.const 1)) (i32.const 7214014))
(assert_return (invoke "table_edges" (i32.const 7) (i32.const 2)) (i32.const 7014014))
(assert_return (invoke "table_edges" (i32.const 7) (i32.const 3)) (i32.const 7014021))
(assert_return (invoke "table_edges" (i32.const 7) (i32.const 99)) (i32.const 7014021))
(assert_return (invoke "loop_merges_calls" (i32.const 1)) (i32.const 47))
(assert_return (invoke "loop_merges_calls" (i32.const 10)) (i32.const 1973))
(assert_return (invoke "loop_merges_calls" (i32.const 1000)) (i32.const -1228114745))
(assert_return (invoke "if_without_else" (i32.const 5) (i32.const 0)) (i32.const 14))
(assert_return (invoke "if_without_else" (i32.const 5) (i32.const 1)) (i32.const 35049))
(assert_return (invoke "float_merges" (i32.const 3)) (f64.const 21.125))
(assert_return (invoke "float_merges" (i32.const 20)) (f64.const 1568.30078125))
