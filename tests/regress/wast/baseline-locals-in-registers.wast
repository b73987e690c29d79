;; The baseline keeps locals in registers (value_stack.h): cached after a
;; read or a write, written back before every branch, dropped at calls that
;; clobber their registers and at labels more than one edge reaches, and kept
;; in the registers a loop was entered with from one iteration to the next
;; (a back edge moves or reloads them). Each function stresses one of these
;; paths. The expected values are those the earlier baseline (locals always in
;; memory) and the optimizing tier computed, in both memory strategies.
(module
  (memory 1)
  (func $mix (param i64 i64) (result i64)
    (i64.xor (i64.mul (local.get 0) (i64.const 0x100000001b3)) (local.get 1)))

  ;; More live integer locals than the baseline has registers, each updated
  ;; every iteration: locals are evicted and re-read inside the loop.
  (func (export "many_int_locals") (param $n i32) (result i64)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)
    (local $g i64) (local $h i64) (local $i i64) (local $j i64) (local $k i32) (local $l i32)
    (local.set $a (i32.const 1)) (local.set $b (i32.const 2)) (local.set $c (i32.const 3))
    (local.set $g (i64.const 7)) (local.set $h (i64.const 11))
    (loop $next
      (local.set $a (i32.add (local.get $a) (local.get $b)))
      (local.set $b (i32.xor (local.get $b) (i32.shl (local.get $a) (i32.const 3))))
      (local.set $c (i32.sub (local.get $c) (local.get $a)))
      (local.set $d (i32.add (local.get $d) (i32.mul (local.get $c) (i32.const 5))))
      (local.set $e (i32.rotl (local.get $e) (i32.and (local.get $d) (i32.const 31))))
      (local.set $e (i32.add (local.get $e) (local.get $n)))
      (local.set $f (i32.or (local.get $f) (i32.shr_u (local.get $e) (i32.const 7))))
      (local.set $g (i64.add (local.get $g) (i64.extend_i32_u (local.get $f))))
      (local.set $h (i64.mul (local.get $h) (local.get $g)))
      (local.set $i (i64.sub (local.get $i) (local.get $h)))
      (local.set $j (i64.xor (local.get $j) (i64.rotr (local.get $i) (i64.const 13))))
      (local.set $k (i32.add (local.get $k) (i32.wrap_i64 (local.get $j))))
      (local.set $l (i32.sub (local.get $l) (local.get $k)))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i64.add
      (i64.add (i64.extend_i32_u (i32.xor (local.get $a) (local.get $b)))
               (i64.extend_i32_u (i32.xor (local.get $c) (local.get $d))))
      (i64.add (i64.add (local.get $g) (local.get $h))
               (i64.add (i64.xor (local.get $i) (local.get $j))
                        (i64.extend_i32_u (i32.add (i32.add (local.get $e) (local.get $f))
                                                   (i32.add (local.get $k) (local.get $l))))))))

  ;; More live float locals than there are float registers.
  (func $many_float_locals (param $n i32) (result f64)
    (local $x0 f64) (local $x1 f64) (local $x2 f64) (local $x3 f64) (local $x4 f64) (local $x5 f64)
    (local $x6 f64) (local $x7 f64) (local $x8 f64) (local $x9 f64) (local $y0 f32) (local $y1 f32)
    (local $y2 f32) (local $y3 f32) (local $y4 f32) (local $y5 f32) (local $y6 f32) (local $y7 f32)
    (local.set $x0 (f64.const 0.5)) (local.set $y0 (f32.const 1.25))
    (loop $next
      (local.set $x1 (f64.add (local.get $x1) (local.get $x0)))
      (local.set $x2 (f64.add (local.get $x2) (f64.mul (local.get $x1) (f64.const 0.25))))
      (local.set $x3 (f64.sub (local.get $x3) (local.get $x2)))
      (local.set $x4 (f64.add (local.get $x4) (f64.convert_i32_s (local.get $n))))
      (local.set $x5 (f64.max (local.get $x5) (local.get $x3)))
      (local.set $x6 (f64.min (local.get $x6) (local.get $x3)))
      (local.set $x7 (f64.add (local.get $x7) (f64.sqrt (local.get $x4))))
      (local.set $x8 (f64.add (local.get $x8) (f64.promote_f32 (local.get $y3))))
      (local.set $x9 (f64.sub (local.get $x9) (local.get $x8)))
      (local.set $y1 (f32.add (local.get $y1) (local.get $y0)))
      (local.set $y2 (f32.mul (local.get $y2) (f32.const 0.5)))
      (local.set $y2 (f32.add (local.get $y2) (local.get $y1)))
      (local.set $y3 (f32.sub (local.get $y3) (f32.demote_f64 (local.get $x2))))
      (local.set $y4 (f32.add (local.get $y4) (f32.abs (local.get $y3))))
      (local.set $y5 (f32.max (local.get $y5) (local.get $y4)))
      (local.set $y6 (f32.add (local.get $y6) (local.get $y5)))
      (local.set $y7 (f32.neg (f32.add (local.get $y7) (local.get $y6))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (f64.add
      (f64.add (f64.add (f64.add (local.get $x1) (local.get $x2)) (f64.add (local.get $x3) (local.get $x4)))
               (f64.add (f64.add (local.get $x5) (local.get $x6)) (f64.add (local.get $x7) (f64.sub (local.get $x8) (local.get $x9)))))
      (f64.promote_f32
        (f32.add (f32.add (f32.add (local.get $y1) (local.get $y2)) (f32.add (local.get $y3) (local.get $y4)))
                 (f32.add (f32.add (local.get $y5) (local.get $y6)) (local.get $y7))))))

  ;; Three locals rotate every iteration.
  (func (export "rotate") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $c i32) (local $t i32)
    (local.set $c (i32.const 100))
    (loop $next
      (local.set $t (local.get $a))
      (local.set $a (local.get $b))
      (local.set $b (local.get $c))
      (local.set $c (i32.add (local.get $t) (local.get $n)))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.add (i32.mul (local.get $a) (i32.const 10000))
             (i32.add (i32.mul (local.get $b) (i32.const 100)) (local.get $c))))

  ;; Locals changed just before a branch out of the loop are read after it.
  (func (export "branch_out") (param $n i32) (result i32)
    (local $i i32) (local $sum i32) (local $last i32)
    (block $done
      (loop $next
        (local.set $sum (i32.add (local.get $sum) (local.get $i)))
        (local.set $last (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 3)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.xor (local.get $sum) (i32.const 0x55)))
        (br $next)))
    (i32.add (i32.mul (local.get $sum) (i32.const 1000)) (i32.add (local.get $last) (local.get $i))))

  ;; br_table to the loop, past a block, and out, changing different locals.
  (func (export "table_loop") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $k i32)
    (local.set $a (i32.const 1))
    (local.set $b (local.get $n))
    (block $exit
      (loop $next
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (block $skip
          (local.set $a (i32.add (local.get $a) (local.get $k)))
          (br_table $next $skip $exit $next
            (i32.rem_u (i32.add (local.get $k) (local.get $b)) (i32.const 4))))
        (local.set $b (i32.add (local.get $b) (local.get $a)))
        (br_if $next (i32.lt_u (local.get $k) (local.get $n)))))
    (i32.add (i32.mul (local.get $a) (i32.const 65536)) (i32.add (i32.mul (local.get $b) (i32.const 256)) (local.get $k))))

  ;; The then branch changes a local; the else branch must see the old value.
  (func (export "if_else") (param $x i32) (param $y i32) (result i32)
    (local $z i32)
    (local.set $z (i32.mul (local.get $x) (i32.const 3)))
    (if (i32.and (local.get $y) (i32.const 1))
      (then (local.set $z (i32.add (local.get $z) (i32.const 1000)))
            (local.set $x (i32.const 7)))
      (else (local.set $y (i32.add (local.get $z) (local.get $x)))))
    (if (i32.and (local.get $y) (i32.const 2))
      (then (local.set $z (i32.sub (local.get $z) (local.get $y)))))
    (i32.add (i32.mul (local.get $z) (i32.const 100)) (i32.add (local.get $x) (local.get $y))))

  ;; Locals of every type live across calls (and memory.grow, a builtin call)
  ;; in a loop.
  (func (export "across_calls") (param $n i32) (result i64)
    (local $a i32) (local $b i64) (local $c f32) (local $d f64) (local $v v128)
    (local.set $b (i64.const 3)) (local.set $c (f32.const 1.5)) (local.set $d (f64.const 2.5))
    (local.set $v (v128.const i32x4 1 2 3 4))
    (loop $next
      (local.set $a (i32.add (local.get $a) (local.get $n)))
      (local.set $b (call $mix (local.get $b) (i64.extend_i32_u (local.get $a))))
      (local.set $c (f32.add (local.get $c) (f32.const 0.5)))
      (local.set $v (i32x4.add (local.get $v) (i32x4.splat (local.get $a))))
      (drop (memory.grow (i32.const 0)))
      (local.set $d (f64.add (local.get $d) (f64.promote_f32 (local.get $c))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i64.add (i64.add (local.get $b) (i64.extend_i32_u (local.get $a)))
             (i64.add (i64.trunc_f64_s (local.get $d))
                      (i64.add (i64.extend_i32_u (i32x4.extract_lane 0 (local.get $v)))
                               (i64.extend_i32_u (i32x4.extract_lane 3 (local.get $v)))))))

  ;; Chains of tee, and a set whose value is a constant.
  (func (export "tees") (param $x i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32)
    (local.set $c (i32.const 5))
    (drop (local.tee $a (local.tee $b (local.tee $c (i32.add (local.get $c) (local.get $x))))))
    (local.set $b (i32.mul (local.get $b) (local.tee $a (i32.const 9))))
    (i32.add (i32.mul (local.get $a) (i32.const 10000)) (i32.add (i32.mul (local.get $b) (i32.const 100)) (local.get $c))))

  ;; Parameters in integer and float registers and on the stack, read and
  ;; changed in a loop.
  (func $params (export "params") (param $a i32) (param $b f64) (param $c i64) (param $d f32)
    (param $e i32) (param $f f64) (param $g i32) (param $h i64) (param $i i32) (param $j i32) (result f64)
    (loop $next
      (local.set $a (i32.add (local.get $a) (local.get $j)))
      (local.set $b (f64.add (local.get $b) (local.get $f)))
      (local.set $c (i64.add (local.get $c) (local.get $h)))
      (local.set $d (f32.mul (local.get $d) (f32.const 1.5)))
      (local.set $e (i32.xor (local.get $e) (local.get $a)))
      (local.set $g (i32.add (local.get $g) (local.get $i)))
      (br_if $next (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
    (f64.add (f64.add (f64.convert_i32_s (i32.add (local.get $a) (local.get $e)))
                      (f64.add (local.get $b) (f64.convert_i64_s (local.get $c))))
             (f64.add (f64.promote_f32 (local.get $d)) (f64.convert_i32_s (local.get $g)))))
  (func (export "call_params") (result i64)
    (i64.reinterpret_f64 (call $params (i32.const 1) (f64.const 0.5) (i64.const 10) (f32.const 2) (i32.const 3)
                  (f64.const 0.25) (i32.const 4) (i64.const -2) (i32.const 6) (i32.const 12))))
  (func (export "many_float_locals") (param i32) (result i64)
    (i64.reinterpret_f64 (call $many_float_locals (local.get 0))))

  ;; The inner loop branches back to the outer loop's head.
  (func (export "nested") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $acc i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (loop $inner
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (i32.add (local.get $i) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $outer (i32.and (i32.eq (local.get $j) (local.get $i)) (i32.lt_u (local.get $i) (local.get $n))))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $i)))))
    (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $j))))

  ;; A loop entered with many locals cached, whose body uses others: the
  ;; back edge moves or reloads the header's locals.
  (func (export "shuffle") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32) (local $g i32)
    (local.set $a (i32.const 1)) (local.set $b (i32.const 2)) (local.set $c (i32.const 3))
    (local.set $d (i32.const 4)) (local.set $e (i32.const 5)) (local.set $f (i32.const 6))
    (local.set $g (i32.const 7))
    (loop $next
      (local.set $g (i32.add (local.get $g) (local.get $a)))
      (local.set $a (local.get $b))
      (local.set $b (local.get $c))
      (local.set $c (local.get $d))
      (local.set $d (local.get $e))
      (local.set $e (local.get $f))
      (local.set $f (local.get $g))
      (if (i32.and (local.get $n) (i32.const 1))
        (then (local.set $a (i32.add (local.get $a) (local.get $f)))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.xor (i32.add (i32.add (local.get $a) (local.get $b)) (i32.add (local.get $c) (local.get $d)))
             (i32.mul (i32.add (local.get $e) (local.get $f)) (local.get $g))))

  ;; The then branch caches a local the if had not touched: the else branch
  ;; must not find it in that register.
  (func (export "else_sees_entry") (param $x i32) (result i32)
    (local $p i32) (local $q i32)
    (if (local.get $x)
      (then (local.set $q (local.get $x))
            (local.set $p (i32.mul (local.get $x) (i32.const 5))))
      (else (local.set $p (i32.add (local.get $p) (i32.const 9)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))))
    (i32.add (i32.mul (local.get $p) (i32.const 100)) (local.get $q)))

  ;; A local cached on the fall-through into a block's end is not cached on
  ;; the branch to it.
  (func (export "merge_forgets") (param $x i32) (result i32)
    (local $p i32)
    (block $b
      (br_if $b (local.get $x))
      (local.set $p (i32.add (local.get $x) (i32.const 7))))
    (local.get $p))

  ;; After a call drops them, $a and $b come back in each other's loop
  ;; registers (no parameter holds one of them): the back edge must break
  ;; the cycle of moves. A mid-loop
  ;; br_if moves them on its taken path only; a br_table moves them for each
  ;; loop it targets, each from the state at the dispatch.
  (global $g0 (mut i32) (i32.const 10))
  (global $g1 (mut i32) (i32.const 20))
  (global $left (mut i32) (i32.const 0))
  (func (export "set_left") (param i32) (global.set $left (local.get 0)))
  (func $bump
    (global.set $g0 (i32.add (global.get $g0) (i32.const 1)))
    (global.set $g1 (i32.add (i32.mul (global.get $g1) (i32.const 3)) (i32.const 1))))
  (func (export "swap_cycle") (result i32)
    (local $a i32) (local $b i32) (local $c i32)
    (global.set $g0 (i32.const 10))
    (global.set $g1 (i32.const 20))
    (local.set $a (global.get $g0))
    (local.set $b (global.get $g1))
    (loop $next
      (call $bump)
      (global.get $g0)
      (local.set $a (i32.add (local.get $a) (global.get $g1)))
      (local.set $b)
      (global.set $left (i32.sub (global.get $left) (i32.const 1)))
      (br_if $next (i32.and (global.get $left) (i32.const 1)))
      (local.set $c (i32.add (i32.mul (local.get $c) (i32.const 7)) (i32.sub (local.get $a) (local.get $b))))
      (br_if $next (global.get $left)))
    (i32.add (i32.mul (local.get $a) (i32.const 1000)) (i32.add (local.get $b) (local.get $c))))
  (func (export "table_cycle") (result i32)
    (local $a i32) (local $b i32) (local $c i32)
    (global.set $g0 (i32.const 10))
    (global.set $g1 (i32.const 20))
    (local.set $a (global.get $g0))
    (local.set $b (global.get $g1))
    (block $exit
      (loop $outer
        (local.set $c (i32.add (local.get $c) (i32.sub (local.get $a) (local.get $b))))
        (loop $inner
          (call $bump)
          (global.get $g0)
          (local.set $a (i32.add (local.get $a) (global.get $g1)))
          (local.set $b)
          (global.set $left (i32.sub (global.get $left) (i32.const 1)))
          (br_if $exit (i32.eqz (global.get $left)))
          (br_table $inner $outer $inner $exit (i32.rem_u (global.get $left) (i32.const 3))))))
    (i32.add (i32.mul (local.get $a) (i32.const 1000)) (i32.add (local.get $b) (local.get $c))))
)
(assert_return (invoke "many_int_locals" (i32.const 1000)) (i64.const -1728900690814353496))
(assert_return (invoke "many_float_locals" (i32.const 1000)) (i64.const -4441086989358723746))
(assert_return (invoke "rotate" (i32.const 1) (i32.const 2) (i32.const 1000)) (i32.const 1685177168))
(assert_return (invoke "rotate" (i32.const 5) (i32.const 6) (i32.const 7)) (i32.const 160717))
(assert_return (invoke "branch_out" (i32.const 100)) (i32.const 2184201))
(assert_return (invoke "branch_out" (i32.const 1)) (i32.const 3))
(assert_return (invoke "table_loop" (i32.const 50)) (i32.const 1463302))
(assert_return (invoke "table_loop" (i32.const 1000)) (i32.const 1707014))
(assert_return (invoke "if_else" (i32.const 5) (i32.const 1)) (i32.const 101508))
(assert_return (invoke "if_else" (i32.const 5) (i32.const 2)) (i32.const 1525))
(assert_return (invoke "if_else" (i32.const 5) (i32.const 0)) (i32.const 1525))
(assert_return (invoke "if_else" (i32.const 4) (i32.const 3)) (i32.const 100910))
(assert_return (invoke "across_calls" (i32.const 100)) (i64.const -108828316011138847))
(assert_return (invoke "tees" (i32.const 4)) (i32.const 98109))
(assert_return (invoke "call_params") (i64.const 4646219350783557632))
(assert_return (invoke "nested" (i32.const 20)) (i32.const 579723812))
(assert_return (invoke "shuffle" (i32.const 1000)) (i32.const 1154521432))
(assert_return (invoke "shuffle" (i32.const 3)) (i32.const 799))
(assert_return (invoke "else_sees_entry" (i32.const 0)) (i32.const 904))
(assert_return (invoke "else_sees_entry" (i32.const 3)) (i32.const 1503))
(assert_return (invoke "merge_forgets" (i32.const 0)) (i32.const 7))
(assert_return (invoke "merge_forgets" (i32.const 1)) (i32.const 0))
(invoke "set_left" (i32.const 1))
(assert_return (invoke "swap_cycle") (i32.const 71071))
(invoke "set_left" (i32.const 10))
(assert_return (invoke "swap_cycle") (i32.const 1821480325))
(invoke "set_left" (i32.const 10))
(assert_return (invoke "table_cycle") (i32.const 1816359390))
(invoke "set_left" (i32.const 50))
(assert_return (invoke "table_cycle") (i32.const -1538459802))
