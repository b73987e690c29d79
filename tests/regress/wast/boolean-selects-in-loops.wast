;; After LLVM's pipeline the optimizing tier turns `select a, true, b` into
;; `or a, b` (and `select a, b, false` into `and a, b`) when b is never
;; poison (select_logic.h): here b depends on the loop's own value through a
;; phi, the shape of embenchen's conditionals. Expected values come from the
;; same loop written in Python with 32-bit wrapping; every tier must agree.
(module
  ;; n times: x += (c(x)) ? 2 : 1, c(x) = (x*x+11) % 3 == 0 OP (x*(x+2)+17) % 5 == 0
  (func $step (param $x i32) (param $both i32) (result i32)
    (local $a i32) (local $b i32)
    (local.set $a (i32.eqz (i32.rem_s (i32.add (i32.mul (local.get $x) (local.get $x)) (i32.const 11)) (i32.const 3))))
    (local.set $b (i32.eqz (i32.rem_s (i32.add (i32.mul (local.get $x) (i32.add (local.get $x) (i32.const 2))) (i32.const 17)) (i32.const 5))))
    (i32.add (local.get $x)
      (select (i32.const 2) (i32.const 1)
        (select (i32.and (local.get $a) (local.get $b)) (i32.or (local.get $a) (local.get $b)) (local.get $both)))))
  (func $run (param $n i32) (param $both i32) (result i32)
    (local $x i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (call $step (local.get $x) (local.get $both)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $x))
  ;; the same with the step written inline, as select on the first compare
  (func (export "or inline") (param $n i32) (result i32)
    (local $x i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i32.add (local.get $x)
          (select (i32.const 2) (i32.const 1)
            (select (i32.const 1)
              (i32.eqz (i32.rem_s (i32.add (i32.mul (local.get $x) (i32.add (local.get $x) (i32.const 2))) (i32.const 17)) (i32.const 5)))
              (i32.eqz (i32.rem_s (i32.add (i32.mul (local.get $x) (local.get $x)) (i32.const 11)) (i32.const 3)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $x))
  (func (export "and inline") (param $n i32) (result i32)
    (local $x i32) (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i32.add (local.get $x)
          (select (i32.const 2) (i32.const 1)
            (select
              (i32.eqz (i32.rem_s (i32.add (i32.mul (local.get $x) (i32.add (local.get $x) (i32.const 2))) (i32.const 17)) (i32.const 5)))
              (i32.const 0)
              (i32.eqz (i32.rem_s (i32.add (i32.mul (local.get $x) (local.get $x)) (i32.const 11)) (i32.const 3)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $x))
  (func (export "or") (param i32) (result i32) (call $run (local.get 0) (i32.const 0)))
  (func (export "and") (param i32) (result i32) (call $run (local.get 0) (i32.const 1))))

(assert_return (invoke "or" (i32.const 0)) (i32.const 0))
(assert_return (invoke "or" (i32.const 1)) (i32.const 1))
(assert_return (invoke "or" (i32.const 10)) (i32.const 18))
(assert_return (invoke "or" (i32.const 1000)) (i32.const 1874))
(assert_return (invoke "or" (i32.const 100000)) (i32.const 146610))
(assert_return (invoke "and" (i32.const 10)) (i32.const 13))
(assert_return (invoke "and" (i32.const 1000)) (i32.const 1250))
(assert_return (invoke "and" (i32.const 100000)) (i32.const 112383))
(assert_return (invoke "or inline" (i32.const 10)) (i32.const 18))
(assert_return (invoke "or inline" (i32.const 100000)) (i32.const 146610))
(assert_return (invoke "and inline" (i32.const 10)) (i32.const 13))
(assert_return (invoke "and inline" (i32.const 100000)) (i32.const 112383))
